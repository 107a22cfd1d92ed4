package io.wallaby.source.postgres;

import io.wallaby.connector.ConfigurationException;
import io.wallaby.connector.postgres.SqlIdentifiers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The trigger that turns each row inserted into a table into a notification on a channel: the row as
 * JSON when it fits in a notification, otherwise {@code {"wallaby_oversize": true, "id": ...}} so that
 * the inserting transaction never fails on PostgreSQL's 8000-byte notification limit (the connector then
 * fetches the row itself).
 */
final class NotifyTrigger {

    /** Rows whose JSON is at least this many bytes go by id: the notification payload must stay under 8000. */
    static final int MAX_INLINE_BYTES = 7900;

    private static final Logger log = LoggerFactory.getLogger(NotifyTrigger.class);

    private final String table;
    private final String quotedTable;
    private final String channel;

    /**
     * @param table   {@code table} or {@code schema.table}, validated
     * @param channel a plain identifier, validated
     */
    NotifyTrigger(String table, String channel) {
        this.table = table;
        this.quotedTable = SqlIdentifiers.quote(table, "--table");
        this.channel = SqlIdentifiers.single(channel, "--channel");
    }

    String quotedTable() {
        return quotedTable;
    }

    /**
     * Creates the function and the trigger (and the table with {@code createTable}) unless present. Safe to
     * run twice, and from two connectors at once: an advisory lock serialises installers.
     *
     * @throws ConfigurationException when the table is missing (and not to be created) or has no id column
     */
    void install(Connection db, boolean createTable) throws SQLException {
        boolean autoCommit = db.getAutoCommit();
        db.setAutoCommit(false);
        try {
            try (PreparedStatement lock = db.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                lock.setString(1, "wallaby_notify:" + quotedTable);
                lock.execute();
            }
            CapturedTable.ensureExists(db, table, quotedTable, createTable);
            if (!hasIdColumn(db)) {
                throw new ConfigurationException("table " + table + " has no id column; the connector needs one to fetch rows "
                        + "too large for a notification. Add a unique id column or choose another --table");
            }
            try (Statement s = db.createStatement()) {
                s.execute(functionSql());
                if (!triggerExists(db)) {
                    s.execute("CREATE TRIGGER " + quote(triggerName()) + " AFTER INSERT ON " + quotedTable
                            + " FOR EACH ROW EXECUTE FUNCTION " + functionName() + "()");
                    log.info("installed trigger {} on {} notifying channel {}", triggerName(), table, channel);
                } else {
                    log.info("trigger {} on {} already installed", triggerName(), table);
                }
            }
            db.commit();
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(autoCommit);
        }
    }

    private String functionSql() {
        String literalChannel = "'" + channel + "'"; // validated identifier: no quotes inside
        return "CREATE OR REPLACE FUNCTION " + functionName() + "() RETURNS trigger LANGUAGE plpgsql AS $wallaby$\n"
                + "DECLARE\n"
                + "  row_json text := row_to_json(NEW)::text;\n"
                + "BEGIN\n"
                + "  IF octet_length(row_json) < " + MAX_INLINE_BYTES + " THEN\n"
                + "    PERFORM pg_notify(" + literalChannel + ", row_json);\n"
                + "  ELSE\n"
                + "    PERFORM pg_notify(" + literalChannel + ", json_build_object('wallaby_oversize', true, 'id', NEW.id)::text);\n"
                + "  END IF;\n"
                + "  RETURN NULL;\n"
                + "END\n"
                + "$wallaby$";
    }

    /** The function lives beside the table: {@code "schema"."wallaby_notify_<channel>"}, quoted for SQL. */
    String functionName() {
        List<String> parts = SqlIdentifiers.parts(table, "--table");
        String function = quote(triggerName());
        return parts.size() == 2 ? quote(parts.get(0)) + "." + function : function;
    }

    /** PostgreSQL cuts names at 63 bytes; cutting here keeps the existence check on the same name. */
    String triggerName() {
        String name = "wallaby_notify_" + channel;
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    private boolean hasIdColumn(Connection db) throws SQLException {
        try (PreparedStatement s = db.prepareStatement(
                "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(?) AND attname = 'id' AND NOT attisdropped")) {
            s.setString(1, quotedTable);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private boolean triggerExists(Connection db) throws SQLException {
        try (PreparedStatement s = db.prepareStatement(
                "SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(?) AND tgname = ?")) {
            s.setString(1, quotedTable);
            s.setString(2, triggerName());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String quote(String identifier) {
        return '"' + identifier + '"';
    }
}
