package io.wallaby.source.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The last part of {@link Uninstaller}: schema {@code wallaby} with everything in it (CASCADE), unless
 * something else still uses it: other streams' rows in the offsets tables, other tables' changes or dead
 * letters, objects outside the schema that depend on it, or objects in it that no postgres source creates.
 */
final class SchemaUninstaller {

    /** The relations a postgres source creates in schema wallaby; any other keeps the schema. */
    private static final Set<String> KNOWN_RELATIONS = Set.of("changes", "changes_seq_seq", "source_offsets",
            "dead_letters", "slot_offsets");
    /** And its functions. */
    private static final Set<String> KNOWN_FUNCTIONS = Set.of("capture_change");

    /**
     * Objects outside the schema that a DROP SCHEMA ... CASCADE would take with it: whatever depends
     * (normally or automatically) on a relation, function or type in it, and is not itself in it. A trigger,
     * default, constraint or rule counts as where its table is.
     */
    private static final String DEPENDENTS_OUTSIDE = "WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = ?), "
            + "inside AS (SELECT 'pg_class'::regclass AS classid, c.oid FROM pg_class c, ns WHERE c.relnamespace = ns.oid "
            + "UNION ALL SELECT 'pg_proc'::regclass, p.oid FROM pg_proc p, ns WHERE p.pronamespace = ns.oid "
            + "UNION ALL SELECT 'pg_type'::regclass, t.oid FROM pg_type t, ns WHERE t.typnamespace = ns.oid), "
            + "dependents AS (SELECT DISTINCT d.classid, d.objid, d.objsubid FROM pg_depend d "
            + "JOIN inside i ON d.refclassid = i.classid AND d.refobjid = i.oid WHERE d.deptype IN ('n', 'a')) "
            + "SELECT DISTINCT pg_describe_object(x.classid, x.objid, 0) FROM dependents x, ns "
            + "WHERE NOT EXISTS (SELECT 1 FROM inside i WHERE i.classid = x.classid AND i.oid = x.objid) "
            + "AND coalesce(CASE x.classid "
            + "WHEN 'pg_attrdef'::regclass THEN (SELECT c.relnamespace FROM pg_attrdef a JOIN pg_class c ON c.oid = a.adrelid WHERE a.oid = x.objid) "
            + "WHEN 'pg_constraint'::regclass THEN (SELECT c.relnamespace FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE k.oid = x.objid) "
            + "WHEN 'pg_trigger'::regclass THEN (SELECT c.relnamespace FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.oid = x.objid) "
            + "WHEN 'pg_rewrite'::regclass THEN (SELECT c.relnamespace FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class WHERE r.oid = x.objid) "
            + "END, 0) <> ns.oid ORDER BY 1";

    private final Connection db;
    private final UninstallCatalog catalog;

    SchemaUninstaller(Connection db, UninstallCatalog catalog) {
        this.db = db;
        this.catalog = catalog;
    }

    /** Drops the schema, or keeps it and says what still uses it. */
    void dropUnlessUsed(List<String> lines) throws SQLException {
        if (!catalog.exists("SELECT 1 FROM pg_namespace WHERE nspname = ?", "wallaby")) {
            lines.add("schema wallaby: already gone");
            return;
        }
        List<String> reasons = new ArrayList<>();
        for (String offsets : List.of("source_offsets", "slot_offsets")) {
            if (catalog.relationExists("wallaby." + offsets)) {
                List<String> streams = catalog.strings("SELECT stream FROM wallaby." + offsets + " ORDER BY stream");
                if (!streams.isEmpty()) {
                    reasons.add("stream(s) " + String.join(", ", streams) + " in wallaby." + offsets);
                }
            }
        }
        for (String rows : List.of("changes", "dead_letters")) {
            if (catalog.relationExists("wallaby." + rows)) {
                List<String> sources = catalog.strings("SELECT DISTINCT source FROM wallaby." + rows
                        + " ORDER BY source");
                if (!sources.isEmpty()) {
                    reasons.add("rows of " + String.join(", ", sources) + " in wallaby." + rows);
                }
            }
        }
        List<String> dependents = catalog.strings(DEPENDENTS_OUTSIDE, "wallaby");
        if (!dependents.isEmpty()) {
            reasons.add("objects outside it depend on it: " + String.join(", ", dependents));
        }
        List<String> foreign = catalog.strings("SELECT c.relname FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') "
                + "UNION ALL SELECT p.proname || '()' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                + "WHERE n.nspname = ? ORDER BY 1", "wallaby", "wallaby");
        foreign.removeIf(name -> KNOWN_RELATIONS.contains(name) || KNOWN_FUNCTIONS.contains(name.replace("()", "")));
        if (!foreign.isEmpty()) {
            reasons.add("it holds objects no postgres source made: " + String.join(", ", foreign));
        }
        if (reasons.isEmpty()) {
            try (Statement s = db.createStatement()) {
                s.execute("DROP SCHEMA wallaby CASCADE");
            }
            lines.add("schema wallaby: dropped (nothing else uses it)");
        } else {
            lines.add("schema wallaby: kept, still in use: " + String.join("; ", reasons));
        }
    }
}
