package io.wallaby.sink.postgres;

import io.wallaby.connector.SinkMessage;
import io.wallaby.connector.postgres.ConnectionString;
import io.wallaby.connector.postgres.PostgresConnections;
import io.wallaby.connector.postgres.SqlIdentifiers;
import io.wallaby.protocol.Frame;
import org.postgresql.PGConnection;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes alert texts into the alert_log table and, in the same transaction, the last message id of each
 * stream into wallaby_sink_offsets: a message is in the table (or in wallaby_dead_letters) exactly when its
 * id is at or below the stream's committed point. Ids are unsigned 64-bit values stored bit for bit in a
 * signed bigint. Not thread-safe.
 *
 * <p>A message that can never be written (not valid UTF-8, or rejected by PostgreSQL with a data exception,
 * class 22, or an integrity constraint violation, class 23) goes to wallaby_dead_letters with the reason,
 * in the same transaction, and the stream goes on: retrying it would block the stream forever. Any other
 * error (lost connection, serialization failure, shutdown) fails the whole batch, which the caller retries.
 */
final class AlertLogWriter implements AutoCloseable {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AlertLogWriter.class);

    private final ConnectionString database;
    private final String quotedTable;
    private final String quotedOffsets;
    private final String quotedDeadLetters;
    private final String copySql;
    private Connection db;

    /** @param table {@code alert_log} or {@code schema.alert_log}; the offsets table goes into the same schema */
    AlertLogWriter(ConnectionString database, String table) {
        this.database = database;
        this.quotedTable = SqlIdentifiers.quote(table, "--table");
        List<String> parts = SqlIdentifiers.parts(table, "--table");
        String schema = parts.size() == 2 ? "\"" + parts.get(0) + "\"." : "";
        this.quotedOffsets = schema + "\"wallaby_sink_offsets\"";
        this.quotedDeadLetters = schema + "\"wallaby_dead_letters\"";
        this.copySql = "COPY " + quotedTable + " (alert_log) FROM STDIN";
    }

    /** Connects and creates the two tables when missing (an advisory lock keeps two sinks from racing). */
    void open() throws SQLException {
        close();
        db = PostgresConnections.openForBatchedInserts(database, PostgresConnections.SINK);
        db.setAutoCommit(false);
        try (PreparedStatement lock = db.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))");
             Statement s = db.createStatement()) {
            lock.setString(1, "wallaby_sink:" + quotedTable);
            lock.execute();
            s.execute("CREATE TABLE IF NOT EXISTS " + quotedTable
                    + " (id serial primary key, alert_log varchar, created_at timestamptz not null default now())");
            s.execute("CREATE TABLE IF NOT EXISTS " + quotedOffsets + " (stream_name text primary key, "
                    + "committed_point bigint not null, updated_at timestamptz not null default now())");
            s.execute("CREATE TABLE IF NOT EXISTS " + quotedDeadLetters + " (id bigserial primary key, "
                    + "stream_name text, message_id bigint, payload bytea, reason text, created_at timestamptz default now())");
            db.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            throw e;
        }
    }

    /** Whether there is a connection at all (no round trip; {@link #isOpen} checks that it works). */
    boolean isConnected() {
        return db != null;
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

    /** A message that cannot be written, and why. */
    private record DeadLetter(SinkMessage message, String reason) {
    }

    /**
     * Stores a batch in one transaction. Messages at or below the committed point read in that transaction
     * (under a row lock) are left out, so retrying a batch whose commit did in fact succeed adds nothing.
     * Messages that can never be written go to the dead-letter table instead (see the class comment).
     *
     * @return how many rows were inserted into the alert table
     */
    int write(List<SinkMessage> batch) throws SQLException {
        try {
            return write(batch, false);
        } catch (RowDataException e) {
            // The whole transaction is rolled back: do it again, finding the bad rows one by one.
            return write(batch, true);
        }
    }

    /** A COPY failed on a row's data; the transaction has been rolled back. */
    private static final class RowDataException extends SQLException {
        RowDataException(SQLException cause) {
            super(cause.getMessage(), cause.getSQLState(), cause);
        }
    }

    private int write(List<SinkMessage> batch, boolean rowByRow) throws SQLException {
        try {
            Map<String, Long> committed = lockCommittedPoints(batch);
            Map<String, Long> last = new LinkedHashMap<>();
            List<SinkMessage> rows = new ArrayList<>();
            List<DeadLetter> dead = new ArrayList<>();
            for (SinkMessage m : batch) {
                long point = committed.getOrDefault(m.streamName(), Frame.U64_MAX);
                if (point != Frame.U64_MAX && Long.compareUnsigned(m.messageId(), point) <= 0) {
                    continue;
                }
                last.put(m.streamName(), m.messageId());
                // Checked here: Java would quietly turn bad bytes into U+FFFD and PostgreSQL would never object.
                if (!isUtf8(m.payload())) {
                    dead.add(new DeadLetter(m, "payload is not valid UTF-8"));
                } else {
                    rows.add(m);
                }
            }
            int inserted = rowByRow ? insertRowByRow(rows, dead) : copy(rows);
            insertDeadLetters(dead);
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
            for (DeadLetter d : dead) {
                log.warn("message {} of stream '{}' cannot be written ({}); moved to {}", Long.toUnsignedString(
                        d.message().messageId()), d.message().streamName(), d.reason(), quotedDeadLetters);
            }
            return inserted;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            throw e;
        }
    }

    /**
     * Writes the rows with one COPY (several times faster than a batch of INSERTs), with no savepoint: a
     * savepoint and its release were two more round trips on every batch. When the COPY fails on a row's
     * data the caller rolls back and writes the batch again with {@link #insertRowByRow}.
     */
    private int copy(List<SinkMessage> rows) throws SQLException {
        if (rows.isEmpty()) {
            return 0;
        }
        try {
            byte[] text = AlertCopyText.of(rows);
            return (int) db.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql, new ByteArrayInputStream(text));
        } catch (SQLException e) {
            if (rowError(e) == null) {
                throw e;
            }
            throw new RowDataException(e);
        } catch (IOException e) {
            throw new SQLException("cannot stream the COPY data: " + e.getMessage(), "08006", e);
        }
    }

    /** Inserts the rows one by one, each under a savepoint; rows that cannot be written are added to {@code dead}. */
    private int insertRowByRow(List<SinkMessage> rows, List<DeadLetter> dead) throws SQLException {
        int inserted = 0;
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO " + quotedTable + " (alert_log) VALUES (?)")) {
            for (SinkMessage m : rows) {
                Savepoint beforeRow = db.setSavepoint();
                try {
                    insert.setString(1, m.payloadText());
                    insert.executeUpdate();
                    db.releaseSavepoint(beforeRow);
                    inserted++;
                } catch (SQLException e) {
                    String reason = rowError(e);
                    if (reason == null) {
                        throw e;
                    }
                    db.rollback(beforeRow);
                    dead.add(new DeadLetter(m, reason));
                }
            }
        }
        return inserted;
    }

    private void insertDeadLetters(List<DeadLetter> dead) throws SQLException {
        if (dead.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO " + quotedDeadLetters
                + " (stream_name, message_id, payload, reason) VALUES (?, ?, ?, ?)")) {
            for (DeadLetter d : dead) {
                insert.setString(1, d.message().streamName());
                insert.setLong(2, d.message().messageId());
                insert.setBytes(3, d.message().payload());
                insert.setString(4, d.reason());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /**
     * The reason when {@code e} (or an exception it chains) is about a row's data: SQLSTATE class 22 (data
     * exception) or 23 (integrity constraint violation), which no retry can fix; null for anything else.
     */
    static String rowError(SQLException e) {
        // A BatchUpdateException carries the server's error as its next exception; look a few links deep.
        Throwable t = e;
        for (int depth = 0; t != null && depth < 8; depth++) {
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                if (state != null && (state.startsWith("22") || state.startsWith("23"))) {
                    return "SQLSTATE " + state + ": " + s.getMessage();
                }
                t = s.getNextException() != null ? s.getNextException() : s.getCause();
            } else {
                t = t.getCause();
            }
        }
        return null;
    }

    private static boolean isUtf8(byte[] payload) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(payload));
            return true;
        } catch (CharacterCodingException e) {
            return false;
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
