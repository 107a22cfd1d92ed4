package io.wallaby.source.postgres;

import io.wallaby.connector.Backoff;
import io.wallaby.connector.SourceConnector;
import io.wallaby.connector.StreamTakenOverException;
import io.wallaby.connector.postgres.ConnectionString;
import io.wallaby.connector.postgres.PostgresConnections;
import io.wallaby.connector.postgres.SqlStates;
import io.wallaby.source.postgres.admin.SourceFigures;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Frames;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Lossless capture: sends the rows of {@code wallaby.changes} (filled by {@link ChangeTable}'s trigger) for
 * one source table, in (txid, seq) order, and forgets them only once the engine has acknowledged them.
 *
 * <h2>Why reading is gap-free</h2>
 * A row's {@code seq} and {@code txid} are taken before its transaction commits, and transactions commit
 * out of order, so "rows with seq above the last one read" would skip a row whose transaction commits
 * late. Instead each read takes only rows with {@code txid < pg_snapshot_xmin(pg_current_snapshot())}.
 * Every transaction id below the snapshot's xmin belongs to a transaction that has finished (committed or
 * rolled back), and every transaction still running, or started later, has a txid at or above xmin. So the
 * rows below xmin are final: no row with a txid below xmin can ever appear again. Reading them ordered by
 * (txid, seq) from the last cursor therefore makes the stream append-only: a later read only adds rows
 * after everything read before. The price: a long-running transaction holds xmin back and delays the
 * delivery of rows committed after it began (never loses them).
 *
 * <h2>Deterministic message ids</h2>
 * {@code wallaby.source_offsets} holds the acknowledged cursor and its message id M. After a restart the
 * connector reads again from that cursor and numbers the rows M+1, M+2, ... in (txid, seq) order; the
 * order is append-only, so each row gets the id it had before, and the engine's duplicate check (and the
 * sink's) drops what was already delivered. When the engine has acknowledged a point P above M (the
 * connector died after the ACK but before recording it) the rows up to id P are done and skipped.
 *
 * <h2>Forgetting only after the ACK</h2>
 * Sent rows stay in {@code wallaby.changes}. The SDK reports acknowledgements on its reader thread; they are
 * handed over here and {@link AcknowledgementRecorder}, on its own thread and connection, deletes the
 * acknowledged rows and records the cursor with its message id in one transaction, coalescing the ACKs of
 * about 50 ms. Until the stream is open (a standby instance) nothing is deleted.
 *
 * <h2>Partitions</h2>
 * A partitioned source runs one capture per partition stream, each reading only the rows of its partition
 * ({@link PartitionSql}, the same hash as {@link io.wallaby.connector.StreamPartitions}) with its own
 * cursor, ids and offsets row, and deleting only its own rows: the reasoning above holds for each.
 *
 * <p>Runs on one thread, except {@link #onAcknowledged} and the recorder.
 */
final class ChangeCapture implements PartitionedCaptures.Capture {

    private static final Logger log = LoggerFactory.getLogger(ChangeCapture.class);

    private final ConnectionString database;
    private final String source;
    private final String channel;
    private final String streamName;
    private final Duration pollInterval;
    private final int batchSize;
    private final int maxPayloadLength;
    private final CaptureFigures figures;
    /** SQL on {@code wallaby.changes c} keeping this stream's partition ({@link PartitionSql}); empty: all rows. */
    private final String partition;

    /** Sent and not yet recorded as acknowledged: message id to the cursor of its row. */
    private final ConcurrentSkipListMap<Long, CaptureCursor> unrecorded = new ConcurrentSkipListMap<>();
    /** The highest point the engine acknowledged on the stream (-1: none yet); set by the reader thread. */
    private final AtomicLong acknowledged = new AtomicLong(-1);
    /** Forgets acknowledged rows, on its own thread and connection. */
    private final AcknowledgementRecorder recorder;
    /** Batches sent and not acknowledged: last message id to when it was sent (for the admin port's lag). */
    private final ConcurrentSkipListMap<Long, Long> pendingBatches = new ConcurrentSkipListMap<>();
    private final AtomicLong sentMessages = new AtomicLong();
    /** The point the stream resumed from (-1 before it opened): acknowledgements count from here. */
    private volatile long startPoint = -1;
    private CaptureCursor cursor = CaptureCursor.START;
    private long nextMessageId = 1;
    private volatile Connection db;
    /** The batch read, prepared once per connection: the same statement every round trip. */
    private PreparedStatement readBatch;

    ChangeCapture(ConnectionString database, String source, String channel, String streamName,
                  Duration pollInterval, int batchSize, int maxPayloadLength, Duration statsInterval, String partition) {
        this.database = database;
        this.source = source;
        this.channel = channel;
        this.streamName = streamName;
        this.pollInterval = pollInterval;
        this.batchSize = batchSize;
        this.maxPayloadLength = maxPayloadLength;
        this.figures = new CaptureFigures(statsInterval, source);
        this.partition = partition;
        this.recorder = new AcknowledgementRecorder(database, source, streamName, unrecorded, acknowledged, partition);
    }

    /** The SDK's {@link io.wallaby.connector.AcknowledgementListener}: only hands the point over, no JDBC here. */
    @Override
    public void onAcknowledged(String stream, long point) {
        if (streamName.equals(stream) && point != Frame.U64_MAX) {
            acknowledged.accumulateAndGet(point, Math::max);
            pendingBatches.headMap(point, true).clear();
        }
    }

    /** What the admin port shows: messages sent and acknowledged since start, and how long the oldest waits. */
    @Override
    public SourceFigures figures() {
        return new SourceFigures() {
            @Override
            public long messagesSent() {
                return sentMessages.get();
            }

            @Override
            public long messagesAcknowledged() {
                long start = startPoint;
                return start < 0 ? 0 : Math.max(0, acknowledged.get() - start);
            }

            @Override
            public double lagSeconds() {
                Map.Entry<Long, Long> oldest = pendingBatches.firstEntry();
                return oldest == null ? 0 : Math.max(0, System.currentTimeMillis() - oldest.getValue()) / 1000.0;
            }

            @Override
            public Health health() {
                return db != null ? Health.OK : Health.down("PostgreSQL connection lost; reconnecting");
            }
        };
    }

    /**
     * Captures until {@code stopping} says so, then waits (at most {@code shutdownTimeout}) for the last
     * acknowledgements, records them and closes the stream (EOS).
     *
     * @param enginePoint what {@link SourceConnector#openStream} returned
     */
    void run(SourceConnector connector, long enginePoint, BooleanSupplier stopping, Duration shutdownTimeout)
            throws SQLException, InterruptedException {
        run(connector, enginePoint, stopping, shutdownTimeout, () -> { });
    }

    /**
     * As {@link #run(SourceConnector, long, BooleanSupplier, Duration)}, calling {@code ready} once the capture
     * is installed, listening and its stream is open.
     */
    @Override
    public void run(SourceConnector connector, long enginePoint, BooleanSupplier stopping, Duration shutdownTimeout,
                    Runnable ready) throws SQLException, InterruptedException {
        if (!start(connector, enginePoint, stopping)) {
            log.info("stopped before PostgreSQL was available; nothing was sent");
            connector.closeStream(streamName, shutdownTimeout);
            return;
        }
        startPoint = nextMessageId - 1;
        if (partition.isEmpty()) {
            // Launchers and tests wait for this line: installed, listening, and the stream is ours.
            log.info("ready: capturing rows of {} on stream '{}' from message id {} after {} (lossless table capture)",
                    source, streamName, nextMessageId, cursor);
        } else {
            // One partition of several: the source says "ready" once, when every partition captures.
            log.info("capturing rows of {} on partition stream '{}' from message id {} after {}", source, streamName,
                    nextMessageId, cursor);
        }
        ready.run();
        recorder.start();
        try {
            capture(connector, stopping);
        } catch (StreamTakenOverException e) {
            closeQuietly();
            stopRecorder();
            throw e;
        }
        log.info("stopping: waiting up to {} for the engine to acknowledge message {}", shutdownTimeout,
                nextMessageId - 1);
        boolean complete = connector.closeStream(streamName, shutdownTimeout);
        closeQuietly();
        stopRecorder();
        log.info("stopped{}; acknowledged and recorded up to message {}",
                complete ? "" : " without every acknowledgement", recorder.recordedId());
    }

    /**
     * Connects, listens and finds where to resume, waiting with backoff while PostgreSQL is unavailable
     * (restarting, shutting down, out of connections): a standby handed the stream at that moment must not
     * die of it. False when stopped while waiting.
     */
    private boolean start(SourceConnector connector, long enginePoint, BooleanSupplier stopping)
            throws SQLException, InterruptedException {
        return SqlStates.whileUnavailable(() -> {
            try {
                db = connect();
                listen();
                resume(enginePoint);
                return Boolean.TRUE;
            } catch (SQLException e) {
                closeQuietly();
                throw e;
            }
        }, stopping, connector::flush) != null; // the flush keeps the engine session alive meanwhile
    }

    /** Sends batches until {@code stopping} says so, reconnecting to PostgreSQL when needed. */
    private void capture(SourceConnector connector, BooleanSupplier stopping) throws InterruptedException {
        Backoff backoff = Backoff.standard();
        while (!stopping.getAsBoolean()) {
            try {
                if (db == null) {
                    db = connect();
                    listen();
                    log.info("reconnected to PostgreSQL; continuing after {}", cursor);
                }
                figures.logIfDue(db, nextMessageId - 1, acknowledged.get());
                int sent = sendBatch(connector);
                connector.flush();
                backoff.reset();
                if (sent < batchSize) {
                    // Wake on the trigger's NOTIFY; the timeout is the low-rate poll in case one was missed.
                    db.unwrap(PGConnection.class).getNotifications((int) pollInterval.toMillis());
                }
            } catch (SQLException e) {
                closeQuietly();
                log.warn("PostgreSQL connection lost or failing ({}); reconnecting in {} ms. Rows are kept in "
                        + "wallaby.changes, so nothing is missed", e.getMessage(), backoff.nextDelayMillis());
                connector.flush(); // keeps the engine session alive meanwhile
                Thread.sleep(backoff.next());
            }
        }
    }

    private void stopRecorder() throws InterruptedException {
        try {
            recorder.stop();
        } catch (SQLException e) {
            log.warn("could not record the last acknowledgement ({}); those rows are sent again, with the same "
                    + "ids, next time", e.getMessage());
        }
    }

    /**
     * Finds where to start: the recorded cursor and id, moved forward to the engine's point when that is
     * ahead. Offsets and rows are read in one REPEATABLE READ snapshot, so a late delete by an instance that
     * was active before cannot shift the numbering between the two reads.
     */
    private void resume(long enginePoint) throws SQLException {
        db.setAutoCommit(false);
        db.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try {
            long recorded = 0;
            boolean found = false;
            try (PreparedStatement s = db.prepareStatement("SELECT acked_txid::text, acked_seq, acked_message_id "
                    + "FROM wallaby.source_offsets WHERE stream = ?")) {
                s.setString(1, streamName);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        found = true;
                        cursor = new CaptureCursor(Long.parseLong(rs.getString(1)), rs.getLong(2));
                        recorded = rs.getLong(3);
                    }
                }
            }
            if (!found) {
                // A stream captured through logical decoding before: its ids go on above what that recorded
                // and the engine holds, none of which are rows of wallaby.changes to skip.
                long logical = logicalMessageId();
                if (logical > 0) {
                    recorded = Math.max(logical, enginePoint == Frame.U64_MAX ? 0 : enginePoint);
                    log.info("stream '{}' was captured through logical decoding up to message {}; table capture "
                            + "numbers its rows from {}", streamName, logical, recorded + 1);
                }
            }
            recorder.recordedAtStart(recorded);
            nextMessageId = recorded + 1;
            if (enginePoint != Frame.U64_MAX && enginePoint > recorded) {
                skipTo(enginePoint, recorded);
            } else if (enginePoint != Frame.U64_MAX && enginePoint < recorded) {
                log.error("stream '{}': the engine stands at {} but {} was acknowledged and recorded here; the rows "
                        + "in between were deleted and cannot be sent again (was the engine's state lost?)",
                        streamName, enginePoint, recorded);
            }
            db.commit();
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            db.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            db.setAutoCommit(true);
        }
    }

    /** The last message id the logical capture recorded for this stream, or 0 when it never ran here. */
    private long logicalMessageId() throws SQLException {
        try (Statement exists = db.createStatement();
             ResultSet table = exists.executeQuery("SELECT to_regclass('wallaby.slot_offsets') IS NOT NULL")) {
            table.next();
            if (!table.getBoolean(1)) {
                return 0; // checked first: inside this transaction an error would abort it
            }
        }
        try (PreparedStatement s = db.prepareStatement(
                "SELECT coalesce(max(message_id), 0) FROM wallaby.slot_offsets WHERE stream = ?")) {
            s.setString(1, streamName);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The engine acknowledged {@code point} beyond what is recorded: those rows are done, skip them. */
    private void skipTo(long point, long recorded) throws SQLException {
        long skip = point - recorded;
        try (PreparedStatement s = db.prepareStatement("SELECT c.txid::text AS txid_text, c.seq "
                + "FROM wallaby.changes c WHERE c.source = ? AND c.txid < pg_snapshot_xmin(pg_current_snapshot()) "
                + "AND (c.txid, c.seq) > (?::text::xid8, ?)" + partition + " ORDER BY c.txid, c.seq LIMIT ?")) {
            bindCursor(s, skip);
            CaptureCursor last = null;
            long found = 0;
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    last = new CaptureCursor(Long.parseLong(rs.getString(1)), rs.getLong(2));
                    found++;
                }
            }
            if (found < skip) {
                log.error("stream '{}': the engine acknowledged message {} but only {} rows follow the recorded "
                        + "message {} here; continuing after {} anyway", streamName, point, found, recorded, point);
            }
            if (last != null) {
                cursor = last;
                unrecorded.put(point, last);
                acknowledged.accumulateAndGet(point, Math::max); // recorded (and the rows deleted) right away
            }
            nextMessageId = point + 1;
            log.info("stream '{}': the engine had acknowledged up to message {} (recorded here: {}); skipping "
                    + "those {} rows", streamName, point, recorded, found);
        }
    }

    /** Reads the next final rows after the cursor and writes them to the engine; returns how many. */
    private int sendBatch(SourceConnector connector) throws SQLException {
        List<CaptureCursor> cursors = new ArrayList<>();
        List<byte[]> payloads = new ArrayList<>();
        if (readBatch == null) {
            readBatch = db.prepareStatement("SELECT c.txid::text AS txid_text, c.seq, "
                    + "c.payload::text FROM wallaby.changes c WHERE c.source = ? "
                    + "AND c.txid < pg_snapshot_xmin(pg_current_snapshot()) AND (c.txid, c.seq) > (?::text::xid8, ?)"
                    + partition + " "
                    // Qualified on purpose: a bare "ORDER BY txid" would sort by the text output column (999 > 1000).
                    + "ORDER BY c.txid, c.seq LIMIT ?");
        }
        bindCursor(readBatch, batchSize);
        try (ResultSet rs = readBatch.executeQuery()) {
            while (rs.next()) {
                cursors.add(new CaptureCursor(Long.parseLong(rs.getString(1)), rs.getLong(2)));
                payloads.add(rs.getString(3).getBytes(StandardCharsets.UTF_8));
            }
        }
        // Written only after the result set is closed: write blocks while the engine grants no credit.
        for (int i = 0; i < cursors.size(); i++) {
            long id = nextMessageId;
            byte[] payload = payloads.get(i);
            if (payload.length > maxPayloadLength) {
                deadLetter(cursors.get(i), id, payload.length);
                payload = new byte[0]; // moves the stream past the row, so the ids of the rows after it stay put
            }
            connector.write(streamName, id, payload);
            unrecorded.put(id, cursors.get(i));
            cursor = cursors.get(i);
            nextMessageId = id + 1;
        }
        figures.sent(cursors.size());
        if (!cursors.isEmpty()) {
            sentMessages.addAndGet(cursors.size());
            pendingBatches.put(nextMessageId - 1, System.currentTimeMillis());
        }
        if (!cursors.isEmpty()) {
            log.debug("sent messages {}..{}: rows {}..{}", nextMessageId - cursors.size(), nextMessageId - 1,
                    cursors.get(0), cursor);
        }
        return cursors.size();
    }

    /**
     * Keeps a row too large for a MESSAGE frame in {@code wallaby.dead_letters} before its (empty) message
     * goes out, so it is on record before the acknowledgement deletes it from {@code wallaby.changes}.
     * Idempotent: after a restart the same row comes round again with the same id.
     */
    private void deadLetter(CaptureCursor row, long messageId, int length) throws SQLException {
        String reason = "payload of " + length + " bytes does not fit a MESSAGE frame (at most " + maxPayloadLength
                + " bytes with --max-frame-length " + (maxPayloadLength + Frames.MESSAGE_HEADER_BYTES) + ")";
        try (PreparedStatement s = db.prepareStatement("INSERT INTO wallaby.dead_letters (source, txid, seq, "
                + "payload, reason) SELECT c.source, c.txid, c.seq, c.payload, ? FROM wallaby.changes c "
                + "WHERE c.source = ? AND c.txid = ?::text::xid8 AND c.seq = ? ON CONFLICT DO NOTHING")) {
            s.setString(1, reason);
            s.setString(2, source);
            s.setString(3, Long.toString(row.txid()));
            s.setLong(4, row.seq());
            s.executeUpdate();
        }
        log.error("row {} of {} (message {} on stream '{}'): {}; kept in wallaby.dead_letters, sent as an empty "
                + "message, capture goes on", row, source, messageId, streamName, reason);
    }

    private void bindCursor(PreparedStatement s, long limit) throws SQLException {
        s.setString(1, source);
        s.setString(2, Long.toString(cursor.txid()));
        s.setLong(3, cursor.seq());
        s.setLong(4, limit);
    }

    private Connection connect() throws SQLException {
        return PostgresConnections.open(database, PostgresConnections.SOURCE);
    }

    private void listen() throws SQLException {
        db.setAutoCommit(true);
        try (Statement s = db.createStatement()) {
            s.execute("LISTEN \"" + channel + "\"");
        }
    }

    private void closeQuietly() {
        readBatch = null; // belongs to the connection
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
