package io.wallaby.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * A fresh embedded PostgreSQL for one run, with server settings the launcher's EmbeddedDatabase has no
 * hook for (logical decoding, commit timestamps for latency). Each run gets its own so no run sees
 * another's tables, capture rows, slots or sink offsets.
 */
final class BenchDatabase implements AutoCloseable {

    private final EmbeddedPostgres postgres;

    private BenchDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** The server as zonky starts it (which sets synchronous_commit=off), plus {@code settings}. */
    static BenchDatabase start(Map<String, String> settings) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        settings.forEach(builder::setServerConfig);
        return new BenchDatabase(builder.start());
    }

    static BenchDatabase plain() throws IOException {
        return start(Map.of());
    }

    /**
     * Logical decoding on (what --capture logical, pg_recvlogical and Debezium need), with room for one slot
     * per reader of scenario 5.
     */
    static BenchDatabase logical() throws IOException {
        return start(LOGICAL);
    }

    /**
     * Logical decoding on and every transaction's commit time kept, so pg_xact_commit_timestamp(xmin) gives
     * a row's commit time; {@code synchronousCommit} on is PostgreSQL's default, off zonky's.
     */
    static BenchDatabase logicalWithCommitTimestamps(boolean synchronousCommit) throws IOException {
        Map<String, String> settings = new java.util.HashMap<>(LOGICAL);
        settings.put("track_commit_timestamp", "on");
        settings.put("synchronous_commit", synchronousCommit ? "on" : "off");
        return start(settings);
    }

    private static final Map<String, String> LOGICAL = Map.of("wal_level", "logical",
            "max_replication_slots", "10", "max_wal_senders", "10");

    /**
     * The server's processes other than the postmaster (background workers and every session), as
     * pg_stat_activity lists them: where PostgreSQL spends its CPU.
     */
    java.util.List<Long> serverPids() throws SQLException {
        java.util.List<Long> pids = new java.util.ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT pid FROM pg_stat_activity")) {
            while (rs.next()) {
                pids.add(rs.getLong(1));
            }
        }
        return pids;
    }

    int port() {
        return postgres.getPort();
    }

    /** The libpq form every connector's --connection accepts. */
    String connectionString() {
        return "host=127.0.0.1 port=" + port() + " dbname=postgres user=postgres";
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/postgres?user=postgres";
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    long count(String table) throws SQLException {
        try (Connection c = connect()) {
            return count(c, table);
        }
    }

    static long count(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The first column of the first row of {@code sql}, as text. */
    String queryText(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** A server setting as SHOW gives it. */
    String setting(String name) throws SQLException {
        return queryText("SHOW " + name);
    }

    /**
     * Where the WAL ends now, once written out: a CHECKPOINT first, so that everything before it is flushed
     * (commits are asynchronous here) and no checkpoint falls inside what is measured next.
     */
    String checkpointedWalEnd() throws SQLException {
        execute("CHECKPOINT");
        return queryText("SELECT pg_current_wal_insert_lsn()::text");
    }

    /** A logical slot of the pgoutput plugin, as CREATE_REPLICATION_SLOT ... LOGICAL pgoutput makes it. */
    void createSlot(String slot) throws SQLException {
        execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
    }

    void dropSlotIfExists(String slot) throws SQLException {
        execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
                + slot + "'");
    }

    /** Whether the slot's confirmed position has reached {@code lsn}: its reader has read that far. */
    boolean slotConfirmedPast(String slot, String lsn) throws SQLException {
        return "t".equals(queryText("SELECT coalesce(bool_or(confirmed_flush_lsn >= '" + lsn + "'::pg_lsn), false) "
                + "FROM pg_replication_slots WHERE slot_name = '" + slot + "'"));
    }

    void execute(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** A pipeline whose output has not moved for this long is stuck, not slow: fail the run instead of waiting. */
    static final long STALL_MILLIS = 30_000;

    /**
     * Polls {@code SELECT count(*)} until it reaches {@code expected}; returns System.nanoTime then. Fails
     * after {@code timeoutMillis}, or sooner when the count stays still for {@link #STALL_MILLIS}.
     */
    long awaitCount(String table, long expected, long timeoutMillis) throws SQLException, InterruptedException {
        long now = System.nanoTime();
        long deadline = now + timeoutMillis * 1_000_000L;
        long last = -1;
        long movedAt = now;
        try (Connection c = connect()) {
            while (true) {
                long got = count(c, table);
                now = System.nanoTime();
                if (got >= expected) {
                    return now;
                }
                if (got != last) {
                    last = got;
                    movedAt = now;
                }
                if (now > deadline || now - movedAt > STALL_MILLIS * 1_000_000L) {
                    throw new IllegalStateException(table + " holds " + got + " of " + expected + " rows; "
                            + (now > deadline ? "timed out after " + timeoutMillis + " ms"
                            : "no new row for " + STALL_MILLIS / 1000 + " s"));
                }
                Thread.sleep(10); // 10 ms resolution on runs of seconds
            }
        }
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
