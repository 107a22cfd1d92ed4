package io.wallaby.sink;

import io.wallaby.connector.SinkMessage;
import io.wallaby.connector.postgres.ConnectionString;
import io.wallaby.connector.postgres.SqlIdentifiers;
import io.wallaby.protocol.Frame;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Writes alert texts into the alert_log table and, in the same transaction, the last message id of each
 * stream into wallaby_sink_offsets: a row is in the table exactly when its id is at or below the stream's
 * committed point. Ids are unsigned 64-bit values stored bit for bit in a signed bigint. Not thread-safe.
 */
final class AlertLogWriter implements AutoCloseable {

    private final ConnectionString database;
    private final String quotedTable;
    private final String quotedOffsets;
    private Connection db;

    /** @param table {@code alert_log} or {@code schema.alert_log}; the offsets table goes into the same schema */
    AlertLogWriter(ConnectionString database, String table) {
        this.database = database;
        this.quotedTable = SqlIdentifiers.quote(table, "--table");
        List<String> parts = SqlIdentifiers.parts(table, "--table");
        this.quotedOffsets = (parts.size() == 2 ? "\"" + parts.get(0) + "\"." : "") + "\"wallaby_sink_offsets\"";
    }

    /** Connects and creates the two tables when missing (an advisory lock keeps two sinks from racing). */
    void open() throws SQLException {
        close();
        Properties properties = new Properties();
        properties.putAll(database.properties());
        properties.setProperty("reWriteBatchedInserts", "true");
        properties.putIfAbsent("ApplicationName", "wallaby-sink-postgres"); // shows in pg_stat_activity
        db = DriverManager.getConnection(database.jdbcUrl(), properties);
        db.setAutoCommit(false);
        try (PreparedStatement lock = db.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))");
             Statement s = db.createStatement()) {
            lock.setString(1, "wallaby_sink:" + quotedTable);
            lock.execute();
            s.execute("CREATE TABLE IF NOT EXISTS " + quotedTable
                    + " (id serial primary key, alert_log varchar, created_at timestamptz not null default now())");
            s.execute("CREATE TABLE IF NOT EXISTS " + quotedOffsets + " (stream_name text primary key, "
                    + "committed_point bigint not null, updated_at timestamptz not null default now())");
            db.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            throw e;
        }
    }

    boolean isOpen() {
        try {
            return db != null && db.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** The stream's committed point, or {@link Frame#U64_MAX} when it has none. */
    long committedPoint(String streamName) throws SQLException {
        try (PreparedStatement s = db.prepareStatement(
                "SELECT committed_point FROM " + quotedOffsets + " WHERE stream_name = ?")) {
            s.setString(1, streamName);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : Frame.U64_MAX;
            } finally {
                db.commit();
            }
        }
    }

    /**
     * Stores a batch in one transaction. Messages at or below the committed point read in that transaction
     * (under a row lock) are left out, so retrying a batch whose commit did in fact succeed adds nothing.
     *
     * @return how many rows were inserted
     */
    int write(List<SinkMessage> batch) throws SQLException {
        try {
            Map<String, Long> committed = lockCommittedPoints(batch);
            Map<String, Long> last = new LinkedHashMap<>();
            int inserted = 0;
            try (PreparedStatement insert = db.prepareStatement("INSERT INTO " + quotedTable + " (alert_log) VALUES (?)")) {
                for (SinkMessage m : batch) {
                    long point = committed.getOrDefault(m.streamName(), Frame.U64_MAX);
                    if (point != Frame.U64_MAX && Long.compareUnsigned(m.messageId(), point) <= 0) {
                        continue;
                    }
                    insert.setString(1, m.payloadText());
                    insert.addBatch();
                    last.put(m.streamName(), m.messageId());
                    inserted++;
                }
                if (inserted > 0) {
                    insert.executeBatch();
                }
            }
            try (PreparedStatement upsert = db.prepareStatement("INSERT INTO " + quotedOffsets
                    + " (stream_name, committed_point) VALUES (?, ?) ON CONFLICT (stream_name) DO UPDATE"
                    + " SET committed_point = EXCLUDED.committed_point, updated_at = now()")) {
                for (Map.Entry<String, Long> e : last.entrySet()) {
                    upsert.setString(1, e.getKey());
                    upsert.setLong(2, e.getValue());
                    upsert.addBatch();
                }
                if (!last.isEmpty()) {
                    upsert.executeBatch();
                }
            }
            db.commit();
            return inserted;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            throw e;
        }
    }

    private Map<String, Long> lockCommittedPoints(List<SinkMessage> batch) throws SQLException {
        List<String> streams = new ArrayList<>(batch.stream().map(SinkMessage::streamName).distinct().toList());
        Map<String, Long> points = new LinkedHashMap<>();
        try (PreparedStatement s = db.prepareStatement("SELECT stream_name, committed_point FROM " + quotedOffsets
                + " WHERE stream_name = ANY (?) FOR UPDATE")) {
            s.setArray(1, db.createArrayOf("text", streams.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    points.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return points;
    }

    private void rollbackQuietly() {
        try {
            if (db != null) {
                db.rollback();
            }
        } catch (SQLException ignored) {
            // the connection is broken; open() replaces it
        }
    }

    @Override
    public void close() {
        if (db != null) {
            try {
                db.close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
            db = null;
        }
    }
}
