package io.wallaby.source.postgres.logical;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/**
 * An embedded PostgreSQL with {@code wal_level = logical}, for the tests of slots, the admin port and
 * uninstalling: slots, publications, WAL to fill them, and a real replication session to make a slot active.
 */
public final class LogicalPostgres implements AutoCloseable {

    /** A condition a test waits for, polled until a deadline (never a fixed sleep). */
    public interface Condition {
        boolean holds() throws Exception;
    }

    private final EmbeddedPostgres pg;

    private LogicalPostgres(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    /**
     * Starts the server. Durable commits ({@code synchronous_commit=on}; the library's default is off): a
     * slot advanced "to the current position" would otherwise stop short of WAL not yet flushed, and a crash
     * could lose what a test saw committed. Room for the twenty slots and sessions a test class may make.
     */
    public static LogicalPostgres start() throws Exception {
        return new LogicalPostgres(EmbeddedPostgres.builder().setServerConfig("wal_level", "logical")
                .setServerConfig("synchronous_commit", "on").setServerConfig("max_replication_slots", "20")
                .setServerConfig("max_wal_senders", "20").start());
    }

    /** Waits until the replication slot is active: a source is streaming from it. */
    public void awaitSlotActive(String slot) throws Exception {
        await("slot " + slot + " is active", Duration.ofSeconds(30), () -> "t".equals(text(
                "SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")));
    }

    public int port() {
        return pg.getPort();
    }

    public String url() {
        return pg.getJdbcUrl("postgres", "postgres");
    }

    /** The libpq keyword/value form the connectors' --connection takes. */
    public String connectionString() {
        return "host=127.0.0.1 port=" + port() + " dbname=postgres user=postgres";
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url());
    }

    public void execute(String... statements) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /** The first column of the first row of {@code sql}, as text (null for NULL or no row). */
    public String text(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    public long number(String sql) throws SQLException {
        return Long.parseLong(text(sql));
    }

    public void createSlot(String slot) throws SQLException {
        execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
    }

    /** Writes about {@code megabytes} MB of WAL (logical messages: no table needed), so positions move. */
    public void writeWal(int megabytes) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (int i = 0; i < megabytes; i++) {
                s.execute("SELECT pg_logical_emit_message(false, 'wallaby-test', repeat('x', 1024 * 1024))");
            }
        }
    }

    /** Waits until {@code condition} holds, failing after {@code timeout} with {@code what}. */
    public static void await(String what, Duration timeout, Condition condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(20); // a poll interval, not a synchronisation: the condition decides
        }
    }

    /**
     * A replication session reading {@code slot} with pgoutput, as the logical capture would: the slot is
     * active (held by this session's backend) until the returned session is closed.
     */
    public Replication replicate(String slot, String publication) throws Exception {
        Properties properties = new Properties();
        PGProperty.USER.set(properties, "postgres");
        PGProperty.REPLICATION.set(properties, "database");
        PGProperty.APPLICATION_NAME.set(properties, "wallaby-test-reader");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(properties, "10");
        PGProperty.PREFER_QUERY_MODE.set(properties, "simple");
        Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port() + "/postgres",
                properties);
        PGReplicationStream stream = connection.unwrap(PGConnection.class).getReplicationAPI().replicationStream()
                .logical().withSlotName(slot).withSlotOption("proto_version", "1")
                .withSlotOption("publication_names", publication).start();
        return new Replication(connection, stream);
    }

    /** A running replication session; closing it releases the slot. */
    public record Replication(Connection connection, PGReplicationStream stream) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            try {
                stream.close();
            } finally {
                connection.close();
            }
        }
    }

    @Override
    public void close() throws Exception {
        pg.close();
    }
}
