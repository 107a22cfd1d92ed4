package io.wallaby.source.postgres.logical;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The logical capture's recorder thread: turns the engine's acknowledgements into a recorded
 * {@link SlotPosition} (one row of {@code wallaby.slot_offsets}) and only then lets the reader confirm it to
 * the slot; writes heartbeats while the captured tables are idle; and notices a server that is shutting
 * down, so the reader lets go of the slot. It has its own connection.
 */
final class SlotRecorder implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(SlotRecorder.class);
    private static final Duration RECORD_EVERY = Duration.ofMillis(50);

    /** Opens a plain connection to the captured database. */
    interface Connector {
        Connection connect() throws SQLException;
    }

    private final LogicalSettings settings;
    private final ReplicationSlot slot;
    private final TransactionLog transactions;
    private final AtomicLong acknowledged;
    private final Connector connector;
    private volatile SlotPosition recorded;
    private volatile LogicalReader reader;
    private volatile boolean stopped;
    private long lastIdleRecordNanos;
    private Connection db;

    SlotRecorder(LogicalSettings settings, ReplicationSlot slot, TransactionLog transactions, AtomicLong acknowledged,
                 SlotPosition recorded, Connector connector) {
        this.settings = settings;
        this.slot = slot;
        this.transactions = transactions;
        this.acknowledged = acknowledged;
        this.recorded = recorded;
        this.connector = connector;
    }

    /** The last position written to {@code wallaby.slot_offsets}. */
    SlotPosition recorded() {
        return recorded;
    }

    /** The reader to confirm positions through and to tell when the server goes down. */
    void attach(LogicalReader reader) {
        this.reader = reader;
    }

    void stop() {
        stopped = true;
    }

    synchronized void close() {
        if (db != null) {
            try {
                db.close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
            db = null;
        }
    }

    @Override
    public void run() {
        long lastHeartbeat = System.nanoTime();
        long lastCheck = System.nanoTime();
        boolean heartbeatRefused = false;
        while (!stopped) {
            try {
                TimeUnit.MILLISECONDS.sleep(RECORD_EVERY.toMillis());
                recordNow();
                if (System.nanoTime() - lastCheck > settings.statusInterval().toNanos()) {
                    lastCheck = System.nanoTime();
                    checkServerUp();
                }
                LogicalReader current = reader;
                long every = settings.heartbeatInterval().toNanos();
                if (!heartbeatRefused && every > 0 && current != null && current.idleNanos() > every
                        && System.nanoTime() - lastHeartbeat > every) {
                    lastHeartbeat = System.nanoTime();
                    heartbeatRefused = !heartbeat();
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Records what the engine acknowledged and lets the reader confirm it. Recorder thread, or the end of run. */
    synchronized void recordNow() {
        SlotPosition last = recorded;
        SlotPosition next = transactions.acknowledged(acknowledged.get(), last);
        if (!next.isAfter(last)) {
            return;
        }
        boolean onlyIdle = next.messageId() == last.messageId() && next.snapshotDone() == last.snapshotDone();
        if (onlyIdle && System.nanoTime() - lastIdleRecordNanos < settings.statusInterval().toNanos()) {
            return; // a busy server moves the read position constantly; one write a status interval is enough
        }
        try {
            if (db == null) {
                db = connector.connect();
            }
            if (!SlotOffsets.advance(db, settings.stream(), slot.slot(), slot.publication(), next)) {
                // The instance this one took over from recorded further on its way out: that is where we stand.
                SlotPosition stored = stored();
                if (!stored.isAfter(last)) {
                    return;
                }
                next = stored;
            }
        } catch (SQLException e) {
            lostRecorderConnection(e);
            log.warn("could not record the acknowledged position {} ({}); retrying. The slot is not confirmed past "
                    + "the last recorded position meanwhile", next, e.getMessage());
            return;
        }
        if (onlyIdle) {
            lastIdleRecordNanos = System.nanoTime();
        }
        recorded = next;
        LogicalReader current = reader;
        if (current != null) {
            current.confirmUpTo(next.confirmedLsn());
        }
    }

    /**
     * Reads the recorded position from the database and adopts it when it is further than this instance
     * knows, which happens when the instance it took over from recorded its last acknowledgement after this
     * one read where to start. The reader calls it once the slot is its own: from then on no one else can
     * confirm the slot, and everyone records a position before confirming it, so the row covers whatever
     * the slot was confirmed to.
     *
     * @throws SlotLostException when the slot was confirmed past the recorded position, by something other
     *                           than a capture of this stream
     */
    synchronized SlotPosition reload() throws SQLException {
        try {
            if (db == null) {
                db = connector.connect();
            }
            SlotPosition stored = stored();
            if (stored.isAfter(recorded)) {
                recorded = stored;
            }
            long confirmed = SlotStatus.read(db, slot.slot()).map(SlotStatus::confirmedFlushLsn).orElse(Lsn.INVALID);
            if (confirmed > recorded.confirmedLsn()) {
                throw new SlotLostException("replication slot " + slot.slot() + " was moved to "
                        + SlotPosition.lsn(confirmed) + ", past the recorded " + recorded + ", by something other "
                        + "than this capture (another client or pg_replication_slot_advance): changes in between "
                        + "may be missing. Remove the capture (--uninstall) and start again");
            }
            return recorded;
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    private SlotPosition stored() throws SQLException {
        return SlotOffsets.read(db, settings.stream()).map(SlotOffsets.Recorded::position).orElse(recorded);
    }

    /**
     * Notices a server that is shutting down even while nothing is to be recorded: its sessions are ended
     * and new ones refused, and the reader must then let go of the slot (see {@link LogicalReader#release()}).
     */
    private synchronized void checkServerUp() {
        try {
            if (db == null) {
                db = connector.connect();
            } else if (!db.isValid(5)) {
                throw new SQLException("the recorder's connection to PostgreSQL was closed", "08006");
            }
        } catch (SQLException e) {
            lostRecorderConnection(e);
        }
    }

    private void lostRecorderConnection(SQLException e) {
        close();
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        LogicalReader current = reader;
        // 57P01 admin shutdown, 57P03 cannot connect now (shutting down or starting), 08xxx connection gone.
        if (current != null && (state.startsWith("57P") || state.startsWith("08"))) {
            current.release();
        }
    }

    /** Writes a heartbeat into the WAL; false when the server refuses (then only keepalives move the slot). */
    private synchronized boolean heartbeat() {
        try {
            if (db == null) {
                db = connector.connect();
            }
            try (PreparedStatement s = db.prepareStatement(
                    "SELECT pg_logical_emit_message(false, 'wallaby_heartbeat', ?)")) {
                s.setString(1, slot.slot());
                s.execute();
            }
            return true;
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                log.warn("heartbeats refused ({}); an idle slot still advances through keepalives", e.getMessage());
                return false;
            }
            lostRecorderConnection(e);
            return true;
        }
    }

}
