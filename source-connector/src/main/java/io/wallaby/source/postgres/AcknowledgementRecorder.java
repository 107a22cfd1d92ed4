package io.wallaby.source.postgres;

import io.wallaby.connector.postgres.ConnectionString;
import io.wallaby.connector.postgres.PostgresConnections;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Forgets acknowledged rows of {@code wallaby.changes}: one transaction deletes them and records the cursor
 * with its message id in {@code wallaby.source_offsets}. Runs on its own thread and its own connection, at
 * most once per {@link #INTERVAL_MILLIS}, so the capture's reads are neither serialized behind the deletes
 * nor slowed by one small transaction per ACK; many ACKs coalesce into one delete.
 *
 * <p>Idempotent: the delete is by cursor, and the offsets row only moves forward (an instance that was
 * active before and records late cannot move it back). A failure only delays forgetting: the rows stay and
 * the next round tries again on a new connection.
 */
final class AcknowledgementRecorder {

    /** How often acknowledged rows are forgotten, at most. */
    static final long INTERVAL_MILLIS = 50;

    private static final Logger log = LoggerFactory.getLogger(AcknowledgementRecorder.class);

    private final ConnectionString database;
    private final String source;
    private final String streamName;
    /** Sent and not yet recorded as acknowledged: message id to the cursor of its row (filled by the capture). */
    private final ConcurrentSkipListMap<Long, CaptureCursor> unrecorded;
    /** The highest point the engine acknowledged on the stream (-1: none yet). */
    private final AtomicLong acknowledged;
    /** SQL keeping this stream's partition of {@code wallaby.changes c}; empty: every row of the source. */
    private final String partition;
    private volatile long recordedId = -1;
    private ScheduledExecutorService timer;
    private Connection db;
    private boolean failing;

    AcknowledgementRecorder(ConnectionString database, String source, String streamName,
                            ConcurrentSkipListMap<Long, CaptureCursor> unrecorded, AtomicLong acknowledged,
                            String partition) {
        this.database = database;
        this.source = source;
        this.streamName = streamName;
        this.unrecorded = unrecorded;
        this.acknowledged = acknowledged;
        this.partition = partition;
    }

    /** The message id whose cursor is recorded in wallaby.source_offsets (as read at start, or by this process). */
    long recordedId() {
        return recordedId;
    }

    void recordedAtStart(long id) {
        recordedId = id;
    }

    /** Starts recording in the background; call once the stream is ours. */
    void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wallaby-source-recorder");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::recordInBackground, INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Stops the background rounds, records what is acknowledged now, and closes the connection. */
    void stop() throws SQLException, InterruptedException {
        if (timer != null) {
            timer.shutdown();
            timer.awaitTermination(10, TimeUnit.SECONDS);
        }
        try {
            record();
        } finally {
            closeQuietly();
        }
    }

    private void recordInBackground() {
        try {
            record();
            if (failing) {
                log.info("recording acknowledgements works again");
                failing = false;
            }
        } catch (SQLException e) {
            closeQuietly();
            if (!failing) {
                log.warn("could not record the acknowledged rows ({}); they stay in wallaby.changes and the next "
                        + "round tries again", e.getMessage());
                failing = true;
            }
        } catch (RuntimeException e) {
            log.error("recording acknowledgements failed unexpectedly; trying again", e);
        }
    }

    /** Deletes the acknowledged rows and records the cursor and id, in one transaction. */
    synchronized void record() throws SQLException {
        long point = acknowledged.get();
        if (point <= recordedId) {
            return;
        }
        Map.Entry<Long, CaptureCursor> entry = unrecorded.floorEntry(point);
        if (entry == null) {
            return;
        }
        CaptureCursor done = entry.getValue();
        if (db == null) {
            db = PostgresConnections.open(database, PostgresConnections.SOURCE);
            db.setAutoCommit(false);
        }
        try {
            try (PreparedStatement delete = db.prepareStatement("DELETE FROM wallaby.changes c WHERE c.source = ? "
                    + "AND (c.txid, c.seq) <= (?::text::xid8, ?)" + partition)) {
                delete.setString(1, source);
                delete.setString(2, Long.toString(done.txid()));
                delete.setLong(3, done.seq());
                delete.executeUpdate();
            }
            try (PreparedStatement upsert = db.prepareStatement("INSERT INTO wallaby.source_offsets "
                    + "(stream, acked_txid, acked_seq, acked_message_id) VALUES (?, ?::text::xid8, ?, ?) "
                    + "ON CONFLICT (stream) DO UPDATE SET acked_txid = EXCLUDED.acked_txid, acked_seq = EXCLUDED.acked_seq, "
                    + "acked_message_id = EXCLUDED.acked_message_id, updated_at = now() "
                    + "WHERE source_offsets.acked_message_id < EXCLUDED.acked_message_id")) {
                upsert.setString(1, streamName);
                upsert.setString(2, Long.toString(done.txid()));
                upsert.setLong(3, done.seq());
                upsert.setLong(4, entry.getKey());
                upsert.executeUpdate();
            }
            db.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                db.rollback();
            } catch (SQLException ignored) {
                // the connection is broken; the next round reconnects
            }
            throw e;
        }
        unrecorded.headMap(entry.getKey(), true).clear();
        recordedId = entry.getKey();
        log.debug("recorded acknowledgement of message {} at {}", recordedId, done);
    }

    private synchronized void closeQuietly() {
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
