package io.wallaby.source.postgres;

import io.wallaby.connector.postgres.SqlIdentifiers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The table capture's (and notify's) part of {@link Uninstaller}: on each table the {@code wallaby_capture}
 * trigger ({@link ChangeTable}) and the notify trigger and its function ({@link NotifyTrigger}); the table's
 * rows in {@code wallaby.changes} and {@code wallaby.dead_letters}. The tables themselves are never touched.
 */
final class TableCaptureUninstaller {

    /** {@link ChangeTable}'s trigger. Kept in step by UninstallerTest, which installs with ChangeTable. */
    private static final String CAPTURE_TRIGGER = "wallaby_capture";

    private final Connection db;
    private final UninstallCatalog catalog;

    TableCaptureUninstaller(Connection db, UninstallCatalog catalog) {
        this.db = db;
        this.catalog = catalog;
    }

    /** The triggers and the function on one table, and its rows in the capture's tables. */
    void remove(String table, String channel, List<String> lines) throws SQLException {
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
        if (!catalog.exists("SELECT 1 WHERE to_regprocedure(?) IS NOT NULL", signature)) {
            lines.add("function " + shown + ": already gone");
            return;
        }
        List<String> users = catalog.strings(
                "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgfoid = to_regprocedure(?)", signature);
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
        if (!catalog.relationExists("wallaby." + table)) {
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

    /** The table's schema-qualified name (what the capture trigger records as source), or null when missing. */
    private String resolve(String quotedTable) throws SQLException {
        List<String> names = catalog.strings("SELECT n.nspname || '.' || c.relname FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(?)", quotedTable);
        return names.isEmpty() ? null : names.get(0);
    }

    private String currentSchema() throws SQLException {
        return catalog.strings("SELECT coalesce(current_schema(), 'public')").get(0);
    }
}
