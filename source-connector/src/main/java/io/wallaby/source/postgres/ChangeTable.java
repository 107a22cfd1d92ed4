package io.wallaby.source.postgres;

import io.wallaby.connector.ConfigurationException;
import io.wallaby.connector.postgres.SqlIdentifiers;
import io.wallaby.source.postgres.logical.DeadLetters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The durable side of lossless capture: schema {@code wallaby} with the capture table
 * {@code wallaby.changes}, the cursor table {@code wallaby.source_offsets}, the table of rows too large to
 * send {@code wallaby.dead_letters}, and an AFTER INSERT trigger on
 * the user's table that copies each new row into {@code wallaby.changes} in the writer's own transaction
 * (so a change exists exactly when the insert committed) and calls {@code pg_notify(channel, '')} only to
 * wake the connector: the payload is empty, so the 8000-byte notification limit never applies, and
 * PostgreSQL folds the identical notifications of one transaction into one.
 */
final class ChangeTable {

    private static final Logger log = LoggerFactory.getLogger(ChangeTable.class);
    private static final String TRIGGER = "wallaby_capture";

    private static final String CHANGES = "CREATE TABLE IF NOT EXISTS wallaby.changes ("
            + "seq bigserial, txid xid8 NOT NULL DEFAULT pg_current_xact_id(), source text NOT NULL, "
            + "payload jsonb NOT NULL, captured_at timestamptz NOT NULL DEFAULT now(), "
            + "PRIMARY KEY (source, txid, seq))";
    private static final String OFFSETS = "CREATE TABLE IF NOT EXISTS wallaby.source_offsets ("
            + "stream text PRIMARY KEY, acked_txid xid8 NOT NULL, acked_seq bigint NOT NULL, "
            + "acked_message_id bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())";
    // One function for every captured table: the channel comes in as the trigger's argument and the source is
    // the table's own schema-qualified name, which is what the connector resolves --table to.
    private static final String FUNCTION = "CREATE OR REPLACE FUNCTION wallaby.capture_change() RETURNS trigger "
            + "LANGUAGE plpgsql AS $wallaby$\n"
            + "BEGIN\n"
            + "  INSERT INTO wallaby.changes (source, payload) VALUES (TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, to_jsonb(NEW));\n"
            + "  PERFORM pg_notify(TG_ARGV[0], '');\n"
            + "  RETURN NULL;\n"
            + "END\n"
            + "$wallaby$";

    private final String table;
    private final String quotedTable;
    private final String channel;

    /**
     * @param table   {@code table} or {@code schema.table}, validated here
     * @param channel a plain identifier, validated here
     */
    ChangeTable(String table, String channel) {
        this.table = table;
        this.quotedTable = SqlIdentifiers.quote(table, "--table");
        this.channel = SqlIdentifiers.single(channel, "--channel");
    }

    String channel() {
        return channel;
    }

    /**
     * Creates whatever is missing (and the user's table with {@code createTable}). Safe to run twice and
     * from several connectors at once: an advisory lock serialises installers.
     *
     * @return the source name the trigger records for this table: its schema-qualified name
     * @throws ConfigurationException when the table is missing and is not to be created
     */
    String install(Connection db, boolean createTable) throws SQLException {
        boolean autoCommit = db.getAutoCommit();
        db.setAutoCommit(false);
        try {
            try (Statement s = db.createStatement()) {
                // One lock for all tables: the schema and the shared tables are created only once.
                s.execute("SELECT pg_advisory_xact_lock(hashtext('wallaby_capture_install'))");
                CapturedTable.ensureExists(db, table, quotedTable, createTable);
                s.execute("CREATE SCHEMA IF NOT EXISTS wallaby");
                s.execute(CHANGES);
                s.execute(OFFSETS);
                s.execute(DeadLetters.TABLE); // rows too large for a MESSAGE frame
                s.execute(FUNCTION);
                String args = triggerChannel(db);
                if (channel.equals(args)) {
                    log.info("capture trigger on {} already installed (wake-ups on channel {})", table, channel);
                } else {
                    // CREATE OR REPLACE: a trigger installed with another --channel now wakes this one.
                    s.execute("CREATE OR REPLACE TRIGGER " + TRIGGER + " AFTER INSERT ON " + quotedTable
                            + " FOR EACH ROW EXECUTE FUNCTION wallaby.capture_change('" + channel + "')");
                    log.info("installed capture trigger on {} (into wallaby.changes, wake-ups on channel {})",
                            table, channel);
                }
            }
            String source = sourceName(db);
            db.commit();
            return source;
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(autoCommit);
        }
    }

    /** The channel argument of the installed trigger, or null when there is none. */
    private String triggerChannel(Connection db) throws SQLException {
        try (PreparedStatement s = db.prepareStatement("SELECT encode(tgargs, 'escape') FROM pg_trigger "
                + "WHERE tgrelid = to_regclass(?) AND tgname = ?")) {
            s.setString(1, quotedTable);
            s.setString(2, TRIGGER);
            try (ResultSet rs = s.executeQuery()) {
                // tgargs holds each argument followed by a NUL byte, which 'escape' shows as \000.
                return rs.next() ? rs.getString(1).replace("\\000", "") : null;
            }
        }
    }

    private String sourceName(Connection db) throws SQLException {
        try (PreparedStatement s = db.prepareStatement("SELECT n.nspname || '.' || c.relname FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(?)")) {
            s.setString(1, quotedTable);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
