package io.wallaby.source.postgres;

import io.wallaby.connector.ConfigurationException;
import io.wallaby.connector.postgres.SqlIdentifiers;
import io.wallaby.source.postgres.logical.SlotStatus;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Removes what a postgres source installed in its database, printing one line per thing removed or already
 * gone. Idempotent: running it again prints "already gone" lines and exits 0.
 * <ul>
 *   <li>logical capture: the replication slot, the publication, the stream's row in
 *       {@code wallaby.slot_offsets}. A slot in use is refused (which pid holds it is said), before
 *       anything is removed: stop that connector first. Its session is never terminated from here;</li>
 *   <li>table capture (and notify): on each table the {@code wallaby_capture} trigger ({@link ChangeTable})
 *       and the notify trigger and its function ({@link NotifyTrigger}); the table's rows in
 *       {@code wallaby.changes} and {@code wallaby.dead_letters}; the stream's row in
 *       {@code wallaby.source_offsets}. The user's tables themselves are never touched;</li>
 *   <li>then schema {@code wallaby} with everything in it (CASCADE), unless something else still uses it:
 *       other streams' rows in the offsets tables, other tables' changes or dead letters, objects outside
 *       the schema that depend on it (another table's capture trigger, a view, a publication of its
 *       tables...), or objects in it that no postgres source creates. Then it is kept and the line says
 *       why. Notify triggers of other streams do not keep it: they do not use the schema.</li>
 * </ul>
 * The slot is dropped first, on its own (dropping a slot is not transactional); everything else happens in
 * one transaction, under the installers' advisory lock (so no {@link ChangeTable#install} runs half-way
 * through), and its lines are printed once it has committed.
 *
 * <p>A table-capture connector still running for the stream is not detected: stop it first, or it fails
 * on the missing tables (and its trigger is gone, so nothing more is captured).
 */
public final class Uninstaller {

    /** Everything removed, or already gone. */
    public static final int DONE = 0;
    /** Refused (a slot in use); nothing was removed. The caller's exit code: 1, a runtime failure. */
    public static final int REFUSED = 1;

    /** The relations a postgres source creates in schema wallaby; any other keeps the schema. */
    static final Set<String> KNOWN_RELATIONS = Set.of("changes", "changes_seq_seq", "source_offsets",
            "dead_letters", "slot_offsets");
    /** And its functions. */
    static final Set<String> KNOWN_FUNCTIONS = Set.of("capture_change");

    /** {@link ChangeTable}'s trigger. Kept in step by UninstallerTest, which installs with ChangeTable. */
    private static final String CAPTURE_TRIGGER = "wallaby_capture";
    /** PostgreSQL's rule for replication slot names. */
    private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");

    /**
     * What one postgres source installed. Parts left null (or an empty table list) are not looked at.
     *
     * @param stream      the source stream's name (its rows in the offsets tables)
     * @param slot        logical capture: the replication slot
     * @param publication logical capture: the publication
     * @param tables      table capture: the captured tables ({@code table} or {@code schema.table})
     * @param channel     table capture: the notification channel ({@code --channel}); null for the default,
     *                    {@code wallaby_<table>} for each table
     * @throws ConfigurationException when a name is not one a source accepts
     */
    public record Installation(String stream, String slot, String publication, List<String> tables, String channel) {

        public Installation {
            if (stream == null || stream.isEmpty()) {
                throw new ConfigurationException("the stream's name is needed (--stream)");
            }
            if (slot != null && !SLOT_NAME.matcher(slot).matches()) {
                throw new ConfigurationException("--slot '" + slot + "' is not a replication slot name: lower-case "
                        + "letters, digits and underscores, at most 63");
            }
            tables = tables == null ? List.of() : List.copyOf(tables);
            try {
                if (publication != null) {
                    SqlIdentifiers.single(publication, "--publication");
                }
                tables.forEach(table -> SqlIdentifiers.parts(table, "--table"));
                if (channel != null) {
                    SqlIdentifiers.single(channel, "--channel");
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(e.getMessage(), e);
            }
        }

        /** A logical-decoding source. */
        public static Installation logical(String stream, String slot, String publication) {
            return new Installation(stream, slot, publication, List.of(), null);
        }

        /** A table-capture (or notify) source on {@code tables}; {@code channel} null for the default. */
        public static Installation tableCapture(String stream, List<String> tables, String channel) {
            return new Installation(stream, null, null, tables, channel);
        }
    }

    private final Connection db;
    private final PrintStream out;

    /** @param db a connection as the owner of what was installed (or a superuser); left as it was found */
    public Uninstaller(Connection db, PrintStream out) {
        this.db = db;
        this.out = out;
    }

    /**
     * Removes what {@code installed} names, and the schema when nothing else uses it.
     *
     * @return {@link #DONE}, or {@link #REFUSED} when the slot is in use (nothing removed then)
     * @throws SQLException when PostgreSQL refuses (permissions, a lock not granted within 30 s); what was
     *                      removed before stays removed, and running it again finishes the job
     */
    public int uninstall(Installation installed) throws SQLException {
        if (installed.slot() != null && !dropSlot(installed.slot(), installed.stream())) {
            return REFUSED;
        }
        List<String> lines = new ArrayList<>();
        boolean autoCommit = db.getAutoCommit();
        db.setAutoCommit(false);
        try {
            try (Statement s = db.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(hashtext('wallaby_capture_install'))");
                // Dropping a trigger waits for every transaction on its table: give up rather than hang.
                s.execute("SET LOCAL lock_timeout = '30s'");
            }
            if (installed.publication() != null) {
                dropPublication(installed.publication(), lines);
            }
            if (installed.slot() != null || installed.publication() != null) {
                deleteOffsets("slot_offsets", installed.stream(), lines);
            }
            for (String table : installed.tables()) {
                removeTableCapture(table, installed.channel(), lines);
            }
            if (!installed.tables().isEmpty()) {
                deleteOffsets("source_offsets", installed.stream(), lines);
            }
            dropSchemaUnlessUsed(lines);
            db.commit();
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(autoCommit);
        }
        lines.forEach(out::println);
        return DONE;
    }

    /** Drops the slot unless a session holds it; false (and says who) when one does. */
    private boolean dropSlot(String slot, String stream) throws SQLException {
        Optional<SlotStatus> status = SlotStatus.read(db, slot);
        if (status.isEmpty()) {
            out.println("replication slot " + slot + ": already gone");
            return true;
        }
        if (status.get().active()) {
            refuse(slot, stream, status.get().activePid());
            return false;
        }
        boolean autoCommit = db.getAutoCommit();
        db.setAutoCommit(true); // not transactional anyway: say so by running it on its own
        try (PreparedStatement s = db.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            s.setString(1, slot);
            s.execute();
        } catch (SQLException e) {
            if ("55006".equals(e.getSQLState())) { // object_in_use: a connector took it since the check
                Optional<SlotStatus> now = SlotStatus.read(db, slot);
                refuse(slot, stream, now.map(SlotStatus::activePid).orElse(null));
                return false;
            }
            throw e;
        } finally {
            db.setAutoCommit(autoCommit);
        }
        out.println("replication slot " + slot + ": dropped" + (status.get().lost()
                ? " (it was lost: " + status.get().walStatusText() + ")" : ""));
        return true;
    }

    private void refuse(String slot, String stream, Integer pid) throws SQLException {
        String who = "a session";
        if (pid != null) {
            who = "pid " + pid;
            try (PreparedStatement s = db.prepareStatement("SELECT application_name, host(client_addr) "
                    + "FROM pg_stat_activity WHERE pid = ?")) {
                s.setInt(1, pid);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        String name = rs.getString(1);
                        String from = rs.getString(2);
                        who += " (" + (name == null || name.isEmpty() ? "no application name" : name)
                                + (from == null ? ", local" : " from " + from) + ")";
                    }
                }
            }
        }
        out.println("replication slot " + slot + " is in use by " + who + ": stop that connector (stream '"
                + stream + "') first, then run this again. Nothing was removed.");
    }

    private void dropPublication(String publication, List<String> lines) throws SQLException {
        if (exists("SELECT 1 FROM pg_publication WHERE pubname = ?", publication)) {
            try (Statement s = db.createStatement()) {
                s.execute("DROP PUBLICATION \"" + publication + "\"");
            }
            lines.add("publication " + publication + ": dropped");
        } else {
            lines.add("publication " + publication + ": already gone");
        }
    }

    private void deleteOffsets(String table, String stream, List<String> lines) throws SQLException {
        if (!relationExists("wallaby." + table)) {
            lines.add("wallaby." + table + ": already gone");
            return;
        }
        try (PreparedStatement s = db.prepareStatement("DELETE FROM wallaby." + table + " WHERE stream = ?")) {
            s.setString(1, stream);
            lines.add("wallaby." + table + ": " + (s.executeUpdate() > 0 ? "removed the position of stream '"
                    + stream + "'" : "no position of stream '" + stream + "' (already gone)"));
        }
    }

    /** The triggers and the function on one table, and its rows in the capture's tables. */
    private void removeTableCapture(String table, String channel, List<String> lines) throws SQLException {
        String quoted = SqlIdentifiers.quote(table, "--table");
        // PostgresSourceCommand's default channel, which named the notify trigger.
        NotifyTrigger notify = new NotifyTrigger(table, channel != null ? channel : "wallaby_" + table.replace('.', '_'));
        String source = resolve(quoted);
        if (source == null) {
            source = table.contains(".") ? table : currentSchema() + "." + table;
            lines.add("table " + table + ": does not exist; its triggers went with it");
        } else {
            dropTrigger(quoted, source, CAPTURE_TRIGGER, lines);
            dropTrigger(quoted, source, notify.triggerName(), lines);
        }
        dropNotifyFunction(notify.functionName(), lines);
        deleteBySource("changes", source, lines);
        deleteBySource("dead_letters", source, lines);
    }

    private void dropTrigger(String quotedTable, String source, String trigger, List<String> lines) throws SQLException {
        try (PreparedStatement s = db.prepareStatement(
                "SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(?) AND tgname = ?")) {
            s.setString(1, quotedTable);
            s.setString(2, trigger);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    lines.add("trigger " + trigger + " on " + source + ": already gone");
                    return;
                }
            }
        }
        try (Statement s = db.createStatement()) {
            s.execute("DROP TRIGGER \"" + trigger + "\" ON " + quotedTable);
        }
        lines.add("trigger " + trigger + " on " + source + ": dropped");
    }

    /** The notify trigger's function, unless another table's trigger still calls it (same channel). */
    private void dropNotifyFunction(String function, List<String> lines) throws SQLException {
        String signature = function + "()";
        String shown = function.replace("\"", "");
        if (!exists("SELECT 1 WHERE to_regprocedure(?) IS NOT NULL", signature)) {
            lines.add("function " + shown + ": already gone");
            return;
        }
        List<String> users = strings("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgfoid = to_regprocedure(?)",
                signature);
        if (!users.isEmpty()) {
            lines.add("function " + shown + ": kept, still called by the trigger on " + String.join(", ", users));
            return;
        }
        try (Statement s = db.createStatement()) {
            s.execute("DROP FUNCTION " + signature);
        }
        lines.add("function " + shown + ": dropped");
    }

    private void deleteBySource(String table, String source, List<String> lines) throws SQLException {
        if (!relationExists("wallaby." + table)) {
            lines.add("wallaby." + table + ": already gone");
            return;
        }
        try (PreparedStatement s = db.prepareStatement("DELETE FROM wallaby." + table + " WHERE source = ?")) {
            s.setString(1, source);
            int deleted = s.executeUpdate();
            lines.add("wallaby." + table + ": " + (deleted > 0 ? "removed " + deleted + " row(s) of " + source
                    : "nothing of " + source + " (already gone)"));
        }
    }

    private void dropSchemaUnlessUsed(List<String> lines) throws SQLException {
        if (!exists("SELECT 1 FROM pg_namespace WHERE nspname = ?", "wallaby")) {
            lines.add("schema wallaby: already gone");
            return;
        }
        List<String> reasons = new ArrayList<>();
        for (String offsets : List.of("source_offsets", "slot_offsets")) {
            if (relationExists("wallaby." + offsets)) {
                List<String> streams = strings("SELECT stream FROM wallaby." + offsets + " ORDER BY stream");
                if (!streams.isEmpty()) {
                    reasons.add("stream(s) " + String.join(", ", streams) + " in wallaby." + offsets);
                }
            }
        }
        for (String rows : List.of("changes", "dead_letters")) {
            if (relationExists("wallaby." + rows)) {
                List<String> sources = strings("SELECT DISTINCT source FROM wallaby." + rows + " ORDER BY source");
                if (!sources.isEmpty()) {
                    reasons.add("rows of " + String.join(", ", sources) + " in wallaby." + rows);
                }
            }
        }
        List<String> dependents = strings(DEPENDENTS_OUTSIDE, "wallaby");
        if (!dependents.isEmpty()) {
            reasons.add("objects outside it depend on it: " + String.join(", ", dependents));
        }
        List<String> foreign = strings("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
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

    /** The table's schema-qualified name (what the capture trigger records as source), or null when missing. */
    private String resolve(String quotedTable) throws SQLException {
        List<String> names = strings("SELECT n.nspname || '.' || c.relname FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(?)", quotedTable);
        return names.isEmpty() ? null : names.get(0);
    }

    private String currentSchema() throws SQLException {
        return strings("SELECT coalesce(current_schema(), 'public')").get(0);
    }

    private boolean relationExists(String name) throws SQLException {
        return exists("SELECT 1 WHERE to_regclass(?) IS NOT NULL", name);
    }

    private boolean exists(String sql, String argument) throws SQLException {
        return !strings(sql, argument).isEmpty();
    }

    /** The first column of every row of {@code sql}, run with text arguments. */
    private List<String> strings(String sql, String... arguments) throws SQLException {
        List<String> values = new ArrayList<>();
        try (PreparedStatement s = db.prepareStatement(sql)) {
            for (int i = 0; i < arguments.length; i++) {
                s.setString(i + 1, arguments[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        }
        return values;
    }
}
