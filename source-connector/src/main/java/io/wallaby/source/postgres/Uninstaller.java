package io.wallaby.source.postgres;

import io.wallaby.connector.ConfigurationException;
import io.wallaby.connector.postgres.SqlIdentifiers;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
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
 *
 * <p>This class holds the order and the transaction, and the stream's rows in the offsets tables; each part
 * has its own class: {@link LogicalUninstaller} (slot, publication), {@link TableCaptureUninstaller}
 * (triggers, notify function, captured rows) and {@link SchemaUninstaller}, which all read through
 * {@link UninstallCatalog}.
 */
final class Uninstaller {

    /** Everything removed, or already gone. */
    public static final int DONE = 0;
    /** Refused (a slot in use); nothing was removed. The caller's exit code: 1, a runtime failure. */
    public static final int REFUSED = 1;

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
    private final UninstallCatalog catalog;
    private final LogicalUninstaller logical;
    private final TableCaptureUninstaller tables;
    private final SchemaUninstaller schema;

    /** @param db a connection as the owner of what was installed (or a superuser); left as it was found */
    public Uninstaller(Connection db, PrintStream out) {
        this.db = db;
        this.out = out;
        this.catalog = new UninstallCatalog(db);
        this.logical = new LogicalUninstaller(db, catalog, out);
        this.tables = new TableCaptureUninstaller(db, catalog);
        this.schema = new SchemaUninstaller(db, catalog);
    }

    /**
     * Removes what {@code installed} names, and the schema when nothing else uses it.
     *
     * @return {@link #DONE}, or {@link #REFUSED} when the slot is in use (nothing removed then)
     * @throws SQLException when PostgreSQL refuses (permissions, a lock not granted within 30 s); what was
     *                      removed before stays removed, and running it again finishes the job
     */
    public int uninstall(Installation installed) throws SQLException {
        if (installed.slot() != null && !logical.dropSlot(installed.slot(), installed.stream())) {
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
                logical.dropPublication(installed.publication(), lines);
            }
            if (installed.slot() != null || installed.publication() != null) {
                deleteOffsets("slot_offsets", installed.stream(), lines);
            }
            for (String table : installed.tables()) {
                tables.remove(table, installed.channel(), lines);
            }
            if (!installed.tables().isEmpty()) {
                deleteOffsets("source_offsets", installed.stream(), lines);
            }
            schema.dropUnlessUsed(lines);
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

    /** The stream's row in {@code wallaby.slot_offsets} or {@code wallaby.source_offsets}. */
    private void deleteOffsets(String table, String stream, List<String> lines) throws SQLException {
        if (!catalog.relationExists("wallaby." + table)) {
            lines.add("wallaby." + table + ": already gone");
            return;
        }
        try (PreparedStatement s = db.prepareStatement("DELETE FROM wallaby." + table + " WHERE stream = ?")) {
            s.setString(1, stream);
            lines.add("wallaby." + table + ": " + (s.executeUpdate() > 0 ? "removed the position of stream '"
                    + stream + "'" : "no position of stream '" + stream + "' (already gone)"));
        }
    }
}
