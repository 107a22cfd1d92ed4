package io.wallaby.source.postgres.logical;

import io.wallaby.connector.ConfigurationException;
import io.wallaby.connector.SourceConnector;
import io.wallaby.connector.postgres.ConnectionString;
import io.wallaby.connector.postgres.PostgresConnections;
import io.wallaby.connector.postgres.SqlStates;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Frames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Capture through logical decoding: reads the stream's replication slot with the {@code pgoutput} plugin
 * and sends each insert, update and delete of the published tables as a {@link ChangeEnvelope}, exactly
 * once, with message ids that survive restarts of the connector, the engine and PostgreSQL.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>The caller's thread ({@link #run}) sets up, sends the snapshot, then writes the reader's batches
 *       to the engine; it is the only one that touches the {@link SourceConnector}.</li>
 *   <li>{@link LogicalReader} owns the replication connection: reads, numbers, encodes, and sends status
 *       updates at least every status interval whatever the engine's speed.</li>
 *   <li>{@link SlotRecorder} turns the engine's acknowledgements into a recorded {@link SlotPosition} (one row in
 *       {@code wallaby.slot_offsets}) and only then lets the reader confirm it to the slot; it also writes
 *       the heartbeats.</li>
 * </ul>
 *
 * <h2>Exactly once</h2>
 * The slot's confirmed position moves only past transactions whose every change the engine acknowledged,
 * and only after that is recorded. After any restart reading starts at the recorded position with the ids
 * counted from the recorded message id; transactions the server sends again are skipped by commit LSN,
 * messages the engine already has are skipped by id, and the rest go out with the ids they had before.
 * The one exception: a snapshot interrupted before the engine acknowledged all of it is taken again, and
 * the rows the first attempt delivered are delivered again, with new ids (the exported snapshot died with
 * the connection that made it, so the same rows cannot be read again).
 */
public final class LogicalCapture {

    private static final Logger log = LoggerFactory.getLogger(LogicalCapture.class);

    private final ConnectionString database;
    private final LogicalSettings settings;
    private final ReplicationSlot slot;
    private final TransactionLog transactions = new TransactionLog();
    private final BlockingQueue<List<Outgoing>> batches = new ArrayBlockingQueue<>(16);
    private final AtomicLong acknowledged = new AtomicLong(-1);
    private final AtomicLong sent = new AtomicLong();
    private volatile SlotPosition recorded = new SlotPosition(false, 0, 0, 0);
    private volatile LogicalReader reader;
    /** The engine's point when the stream opened (-1 before): acknowledgements count from here. */
    private volatile long startPoint = -1;
    private Connection db;
    private volatile SlotRecorder recorder;
    private Connection deadLetterDb;

    public LogicalCapture(ConnectionString database, LogicalSettings settings) {
        this.database = database;
        this.settings = settings;
        this.slot = new ReplicationSlot(settings.slot(), settings.publication());
    }

    /**
     * Creates what this capture needs and can share with a standby instance: the {@code wallaby} tables
     * and the publication. The slot is made later, by the instance whose stream the engine accepted.
     */
    public void install(Connection connection) throws SQLException {
        SlotOffsets.install(connection);
        try (Statement s = connection.createStatement()) {
            s.execute(DeadLetters.TABLE);
        }
        slot.ensurePublication(connection, settings.tables());
    }

    /** A capture of the same stream and settings with nothing in hand: to start over after a take-over. */
    public LogicalCapture anew() {
        return new LogicalCapture(database, settings);
    }

    /** The SDK's acknowledgement listener: only records the point, on the SDK's reader thread. */
    public void onAcknowledged(String stream, long point) {
        if (settings.stream().equals(stream) && point != Frame.U64_MAX) {
            acknowledged.accumulateAndGet(point, Math::max);
        }
    }

    /** The replication slot this capture reads. */
    public String slot() {
        return slot.slot();
    }

    /** Messages written to the engine since start. */
    public long messagesSent() {
        return sent.get();
    }

    /** Messages the engine acknowledged since start: its acknowledged point less the one it started from. */
    public long messagesAcknowledged() {
        long start = startPoint;
        return start < 0 ? 0 : Math.max(0, acknowledged.get() - start);
    }

    /** Age of the oldest change sent and not acknowledged, in seconds; 0 when none. */
    public double lagSeconds() {
        long oldest = transactions.oldestPendingCommitMillis();
        return oldest < 0 ? 0 : Math.max(0, System.currentTimeMillis() - oldest) / 1000.0;
    }

    /** Null while healthy, else why not. */
    public String unhealthy() {
        LogicalReader current = reader;
        if (current == null) {
            return "starting";
        }
        if (current.failure() != null) {
            return current.failure().getMessage();
        }
        return current.connected() ? null : "replication connection to PostgreSQL is down";
    }

    /**
     * Captures until {@code stopping} says so, then hands over what was read, waits (at most
     * {@code shutdownTimeout}) for the engine's acknowledgements, records and confirms them, and closes
     * the stream.
     *
     * @param enginePoint what {@link SourceConnector#openStream} returned
     * @throws SlotLostException when the slot is gone or was moved past the recorded position
     */
    public void run(SourceConnector connector, long enginePoint, BooleanSupplier stopping, Duration shutdownTimeout)
            throws SQLException, InterruptedException {
        run(connector, enginePoint, stopping, shutdownTimeout, () -> { });
    }

    /**
     * As {@link #run(SourceConnector, long, BooleanSupplier, Duration)}, calling {@code ready} once the slot is
     * this capture's and its reader started.
     */
    public void run(SourceConnector connector, long enginePoint, BooleanSupplier stopping, Duration shutdownTimeout,
                    Runnable ready) throws SQLException, InterruptedException {
        long engine = enginePoint == Frame.U64_MAX ? 0 : enginePoint;
        acknowledged.accumulateAndGet(engine, Math::max);
        startPoint = acknowledged.get();
        SlotPosition start = start(connector, engine, stopping);
        if (start == null) {
            log.info("stopped before PostgreSQL was available; nothing was sent");
            connector.closeStream(settings.stream(), shutdownTimeout);
            return;
        }
        SlotRecorder recorder = new SlotRecorder(settings, slot, transactions, acknowledged, recorded, this::connect);
        this.recorder = recorder;
        LogicalReader current = new LogicalReader(database, slot, transactions, batches, start, engine,
                recorder, this::checkSlot, settings.statusInterval(), settings.statusInterval(), settings.partition());
        recorder.attach(current);
        reader = current;
        Thread readerThread = new Thread(current, "wallaby-logical-reader");
        Thread recorderThread = new Thread(recorder, "wallaby-slot-recorder");
        readerThread.setDaemon(true);
        recorderThread.setDaemon(true);
        readerThread.start();
        recorderThread.start();
        if (settings.partition() == null) {
            // Launchers and tests wait for this line: the slot is ours and the stream open.
            log.info("ready: capturing {} on stream '{}' through slot {} and publication {} from {} (logical capture)",
                    settings.tables(), settings.stream(), slot.slot(), slot.publication(), start);
        } else {
            // One partition of several: the source says "ready" once, when every partition captures.
            log.info("partition {} of {}: capturing {} on stream '{}' through slot {} and publication {} from {}",
                    settings.partition().index(), settings.partition().count(), settings.tables(), settings.stream(),
                    slot.slot(), slot.publication(), start);
        }
        ready.run();
        try {
            send(connector, current, stopping);
            log.info("stopping: waiting up to {} for the engine to acknowledge what was sent", shutdownTimeout);
            boolean complete = connector.closeStream(settings.stream(), shutdownTimeout);
            recorder.recordNow();
            log.info("stopped{}; recorded {}", complete ? "" : " without every acknowledgement", recorder.recorded());
        } finally {
            recorder.stop();
            current.close();
            readerThread.join(TimeUnit.SECONDS.toMillis(10));
            recorderThread.join(TimeUnit.SECONDS.toMillis(10));
            recorder.close();
            closeQuietly(db);
            closeQuietly(deadLetterDb);
        }
        if (current.failure() != null) {
            throw current.failure();
        }
    }

    /**
     * Connects and prepares ({@link #prepare}), waiting with backoff while PostgreSQL is unavailable (restarting,
     * shutting down, out of connections): a standby handed the stream at that moment must not die of it.
     *
     * @return where to read from, or null when stopped while waiting
     */
    private SlotPosition start(SourceConnector connector, long engine, BooleanSupplier stopping)
            throws SQLException, InterruptedException {
        return SqlStates.whileUnavailable(() -> {
            try {
                db = connect();
                return prepare(connector, engine);
            } catch (SQLException | RuntimeException e) {
                closeQuietly(db);
                throw e;
            }
        }, stopping, connector::flush); // the flush keeps the engine session alive meanwhile
    }

    /** Checks what is recorded against the slot, makes the slot when needed, and returns where to read from. */
    private SlotPosition prepare(SourceConnector connector, long engine) throws SQLException {
        Optional<SlotOffsets.Recorded> previous = SlotOffsets.read(db, settings.stream());
        Optional<String> other = SlotOffsets.otherStreamOf(db, slot.slot(), settings.stream());
        if (other.isPresent()) {
            throw new ConfigurationException("slot " + slot.slot() + " is read by stream '" + other.get()
                    + "'; two streams never share a slot: pass another --slot");
        }
        if (previous.isPresent() && !previous.get().slot().equals(slot.slot())) {
            throw new ConfigurationException("stream '" + settings.stream() + "' was captured through slot "
                    + previous.get().slot() + ", not " + slot.slot() + "; pass --slot " + previous.get().slot()
                    + ", or remove the old capture first (--uninstall)");
        }
        Optional<SlotStatus> state = SlotStatus.read(db, slot.slot());
        if (state.isPresent()) {
            checkUsable(state.get());
        }
        long base = Math.max(engine, previous.map(p -> p.position().messageId()).orElse(tableModeMessageId()));
        if (state.isEmpty()) {
            if (previous.isPresent() && previous.get().position().snapshotDone()) {
                throw new SlotLostException("replication slot " + slot.slot() + " does not exist any more, but stream '"
                        + settings.stream() + "' had read it up to " + previous.get().position() + ": the changes "
                        + "made since are gone. To start over, remove the capture (launch.sh source postgres "
                        + "--uninstall with the same flags) and start again; --snapshot initial sends the tables' rows again");
            }
            return create(connector, base);
        }
        if (previous.isEmpty() || !previous.get().position().snapshotDone()) {
            if (settings.initialSnapshot()) {
                log.warn("slot {} exists but its initial snapshot was not completed and acknowledged; taking the "
                        + "snapshot again (rows the interrupted one delivered are delivered again, with new ids)", slot.slot());
                slot.drop(db);
                return create(connector, base);
            }
            SlotPosition position = new SlotPosition(true, 0, base, state.get().confirmedFlushLsn());
            SlotOffsets.write(db, settings.stream(), slot.slot(), slot.publication(), position);
            recorded = position;
            return position;
        }
        SlotPosition position = previous.get().position();
        if (state.get().confirmedFlushLsn() > position.confirmedLsn()) {
            throw new SlotLostException("replication slot " + slot.slot() + " was moved to "
                    + SlotPosition.lsn(state.get().confirmedFlushLsn()) + ", past the recorded " + position
                    + ", by something other than this capture (another client or pg_replication_slot_advance): "
                    + "changes in between may be missing. Remove the capture (--uninstall) and start again");
        }
        recorded = position;
        return position;
    }

    private void checkUsable(SlotStatus state) throws SQLException {
        if (!"pgoutput".equals(state.plugin())) {
            throw new ConfigurationException("replication slot " + slot.slot() + " uses the plugin " + state.plugin()
                    + ", not pgoutput; pass another --slot");
        }
        if (!db.getCatalog().equals(state.database())) {
            throw new ConfigurationException("replication slot " + slot.slot() + " belongs to database "
                    + state.database() + ", not " + db.getCatalog() + "; pass another --slot");
        }
        if (state.lost()) {
            throw new SlotLostException("replication slot " + slot.slot() + " was invalidated by PostgreSQL (wal_status "
                    + "lost): the WAL it needed passed max_slot_wal_keep_size and was removed, so changes are "
                    + "missing. Raise max_slot_wal_keep_size (or keep the connector running), remove the capture "
                    + "(launch.sh source postgres --uninstall with the same flags) and start again with --snapshot initial");
        }
    }

    /** Called by the reader after a failed (re)start: throws when the slot cannot be read any more. */
    private void checkSlot() throws SQLException {
        SlotRecorder current = recorder;
        SlotPosition recorded = current != null ? current.recorded() : this.recorded;
        try (Connection check = connect()) {
            Optional<SlotStatus> state = SlotStatus.read(check, slot.slot());
            if (state.isEmpty()) {
                throw new SlotLostException("replication slot " + slot.slot() + " was dropped while capturing; the "
                        + "changes since " + recorded + " are gone. Remove the capture (--uninstall) and start again");
            }
            if (state.get().lost()) {
                throw new SlotLostException("replication slot " + slot.slot() + " was invalidated by PostgreSQL "
                        + "(its WAL passed max_slot_wal_keep_size); changes since " + recorded + " are missing. Raise "
                        + "max_slot_wal_keep_size, remove the capture (--uninstall) and start again with --snapshot initial");
            }
        } catch (SQLException e) {
            log.debug("cannot check the slot now ({}); retrying", e.getMessage());
        }
    }

    /** Makes the slot and, with an initial snapshot, sends the tables' rows; returns the reader's start. */
    private SlotPosition create(SourceConnector connector, long base) throws SQLException {
        try (Connection replication = PostgresConnections.openReplication(database, PostgresConnections.SOURCE)) {
            ReplicationSlot.Created created = slot.create(replication, settings.initialSnapshot());
            SlotPosition made = new SlotPosition(!settings.initialSnapshot(), 0, base, created.consistentPoint());
            SlotOffsets.write(db, settings.stream(), slot.slot(), slot.publication(), made);
            recorded = made;
            if (!settings.initialSnapshot()) {
                return made;
            }
            long last = SnapshotReader.read(db, created.snapshotName(), settings.tables(), settings.partition(), base + 1,
                    SlotPosition.lsn(created.consistentPoint()), change -> write(connector, change));
            connector.flush();
            SlotPosition done = new SlotPosition(true, 0, last, created.consistentPoint());
            if (last > base) {
                transactions.sent(last, 0, created.consistentPoint(), System.currentTimeMillis(), true);
            } else {
                SlotOffsets.write(db, settings.stream(), slot.slot(), slot.publication(), done);
                recorded = done;
            }
            return done;
        }
    }

    /** Writes the reader's batches to the engine until stopped and everything read is handed over. */
    private void send(SourceConnector connector, LogicalReader current, BooleanSupplier stopping)
            throws SQLException, InterruptedException {
        while (true) {
            if (current.failure() != null) {
                return;
            }
            if (stopping.getAsBoolean()) {
                current.stopReading();
            }
            List<Outgoing> batch = batches.poll(20, TimeUnit.MILLISECONDS);
            if (batch == null) {
                connector.flush();
                if (current.drained() && batches.isEmpty()) {
                    return;
                }
                continue;
            }
            for (Outgoing change : batch) {
                write(connector, change);
            }
            if (batches.isEmpty()) {
                connector.flush();
            }
        }
    }

    private void write(SourceConnector connector, Outgoing change) throws SQLException {
        byte[] payload = change.payload();
        if (payload.length > settings.maxPayloadLength()) {
            String reason = "payload of " + payload.length + " bytes does not fit a MESSAGE frame (at most "
                    + settings.maxPayloadLength() + " bytes with --max-frame-length "
                    + (settings.maxPayloadLength() + Frames.MESSAGE_HEADER_BYTES) + ")";
            if (deadLetterDb == null) {
                deadLetterDb = connect();
            }
            DeadLetters.keep(deadLetterDb, change, reason);
            log.error("change {} of {} in transaction {} (message {} on stream '{}'): {}; kept in wallaby.dead_letters, "
                    + "sent as an empty message, capture goes on", change.position(), change.table(), change.txid(),
                    change.id(), settings.stream(), reason);
            payload = new byte[0];
        }
        connector.write(settings.stream(), change.id(), payload);
        sent.incrementAndGet();
    }

    /** The message id the table capture recorded for this stream, so switching modes never reuses ids. */
    private long tableModeMessageId() throws SQLException {
        try (Statement exists = db.createStatement();
             ResultSet table = exists.executeQuery("SELECT to_regclass('wallaby.source_offsets') IS NOT NULL")) {
            table.next();
            if (!table.getBoolean(1)) {
                return 0; // no table capture was ever installed here
            }
        }
        try (PreparedStatement s = db.prepareStatement(
                "SELECT acked_message_id FROM wallaby.source_offsets WHERE stream = ?")) {
            s.setString(1, settings.stream());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private Connection connect() throws SQLException {
        return PostgresConnections.open(database, PostgresConnections.SOURCE);
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
        }
    }
}
