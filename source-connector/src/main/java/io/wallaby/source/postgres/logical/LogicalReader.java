package io.wallaby.source.postgres.logical;

import io.wallaby.connector.Backoff;
import io.wallaby.connector.postgres.ConnectionString;
import io.wallaby.connector.postgres.PostgresConnections;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The thread that owns the replication connection: reads pgoutput messages, numbers the changes, writes
 * their envelopes and hands them over in batches; and, on its own schedule, tells the server what may be
 * confirmed, so that a session stalled by a slow engine is never ended by {@code wal_sender_timeout}.
 *
 * <h2>Message ids</h2>
 * Changes are numbered 1, 2, 3, ... in the order the slot delivers them: transactions in commit order, the
 * changes of one transaction in their order within it. Starting from a recorded {@link SlotPosition} (the
 * last acknowledged transaction and its last id), every later change gets the same id on every reading:
 * the server sends transactions after the confirmed position in the same order with the same changes.
 * Transactions at or below the recorded commit LSN, which a server that crashed may send again, are
 * skipped. Per-change LSNs are not used as ids: the rows of one multi-row INSERT or COPY share one.
 * A partitioned stream ({@link Partition}) numbers only its own changes (by the partition column's value in
 * the new row, or the old row of a delete) and passes over the others, which its sibling streams' slots
 * carry; truncates go on every partition.
 *
 * <h2>Threads</h2>
 * Everything here runs on the reader thread except {@link #stopReading()}, {@link #close()} and the
 * getters, which other threads call.
 */
final class LogicalReader implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(LogicalReader.class);
    static final int BATCH = 1000;

    /** Checks the slot after a failed start: returns normally when retrying may help, throws when not. */
    interface SlotCheck {
        void check() throws SQLException;
    }

    private final ConnectionString database;
    private final ReplicationSlot slot;
    private final TransactionLog transactions;
    private final BlockingQueue<List<Outgoing>> out;
    private final SlotRecorder recorder;
    private final SlotCheck slotCheck;
    private final Duration statusInterval;
    private final Duration keepaliveInterval;
    /** The part of the changes this stream carries; null: all. */
    private final Partition partition;
    private final ChangeEnvelope envelope = new ChangeEnvelope();
    private final Map<Integer, PgOutput.Relation> relations = new HashMap<>();

    /** Where the next (re)start reads from; moves to the recorded position when that is further. */
    private SlotPosition base;
    /** Ids at or below this are not handed over again: the engine has them, or they are queued already. */
    private long handedOver;

    private Connection connection;
    private PGReplicationStream stream;
    private long nextId;
    private long skipCommitsThrough;
    private boolean inTransaction;
    private boolean skipTransaction;
    private long firstId;
    private long lastId;
    private int position;
    private ChangeEnvelope.Origin origin;
    private List<Outgoing> batch = new ArrayList<>(BATCH);
    private long confirmedSent;
    private long lastStatusNanos = System.nanoTime();

    private volatile boolean stopReading;
    private volatile boolean release;
    private volatile boolean drained;
    private volatile boolean closed;
    private volatile boolean connected;
    private volatile long lastDataNanos = System.nanoTime();
    private volatile long confirmTarget;
    private volatile RuntimeException failure;

    LogicalReader(ConnectionString database, ReplicationSlot slot, TransactionLog transactions,
                  BlockingQueue<List<Outgoing>> out, SlotPosition start, long enginePoint,
                  SlotRecorder recorder, SlotCheck slotCheck, Duration statusInterval,
                  Duration keepaliveInterval, Partition partition) {
        this.database = database;
        this.slot = slot;
        this.transactions = transactions;
        this.out = out;
        this.base = start;
        this.handedOver = Math.max(enginePoint, start.messageId());
        this.recorder = recorder;
        this.slotCheck = slotCheck;
        this.statusInterval = statusInterval;
        this.keepaliveInterval = keepaliveInterval;
        this.partition = partition;
        this.confirmTarget = start.confirmedLsn();
    }

    @Override
    public void run() {
        Backoff backoff = Backoff.standard();
        try {
            while (!closed) {
                try {
                    if (stream == null) {
                        if (stopReading) {
                            drained = true;
                            break;
                        }
                        open();
                        backoff.reset();
                    }
                    if (release) {
                        release = false;
                        closeConnection();
                        log.info("PostgreSQL is shutting down: letting go of slot {} so it can (a logical walsender "
                                + "waits for its client's confirmation); reading again from {} once it is back",
                                slot.slot(), base);
                        TimeUnit.MILLISECONDS.sleep(backoff.next());
                        continue;
                    }
                    confirm();
                    if (stopReading) {
                        flushBatch();
                        drained = true;
                        keepAlive();
                        TimeUnit.MILLISECONDS.sleep(20); // only status updates left: the main thread drains
                        continue;
                    }
                    ByteBuffer message = stream.readPending(); // waits at most about 1 ms for data
                    if (message == null) {
                        idle();
                    } else {
                        lastDataNanos = System.nanoTime();
                        handle(message);
                    }
                } catch (SQLException e) {
                    closeConnection();
                    if (closed) {
                        break;
                    }
                    slotCheck.check(); // throws when the slot is gone or invalidated
                    long delay = backoff.next();
                    log.warn("replication connection to PostgreSQL lost or refused ({}); reading again from {} in {} ms",
                            e.getMessage(), base, delay);
                    TimeUnit.MILLISECONDS.sleep(delay);
                }
            }
            finalStatus();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException | RuntimeException e) {
            failure = e instanceof RuntimeException r ? r
                    : new IllegalStateException("logical capture stopped: " + e.getMessage(), e);
        } finally {
            drained = true;
            closeConnection();
        }
    }

    /** Stop reading; keep confirming positions until {@link #close()}. */
    void stopReading() {
        stopReading = true;
    }

    /** After {@link #stopReading()}: everything read has been handed over. */
    boolean drained() {
        return drained;
    }

    /**
     * PostgreSQL is shutting down: end the replication session now and start a new one later. A logical
     * walsender does not exit before its client confirms everything it sent, and positions are confirmed
     * only once recorded, which a server that is shutting down no longer allows: without this the server's
     * shutdown would wait for us, and we for it.
     */
    void release() {
        release = true;
    }

    /** Confirm the last position and end the session. */
    void close() {
        closed = true;
    }

    /** What made the reader give up, or null. */
    RuntimeException failure() {
        return failure;
    }

    boolean connected() {
        return connected;
    }

    /** Nanos since the server last sent a change. */
    long idleNanos() {
        return System.nanoTime() - lastDataNanos;
    }

    /** The recorder says what may be confirmed; the reader sends it (only it may touch the stream). */
    void confirmUpTo(long lsn) {
        confirmTarget = Math.max(confirmTarget, lsn);
    }

    private void open() throws SQLException {
        SlotPosition latest = recorder.recorded();
        if (latest.isAfter(base)) {
            base = latest;
        }
        start();
        // The slot is ours now. An instance this one took over from may have recorded (and confirmed) a
        // later position after this one read where to start; the server would then begin after that position
        // while the ids counted on from the earlier one: the next changes would get ids the engine already
        // has, and be lost. So look again, and start over from the later position if there is one.
        SlotPosition stored = recorder.reload();
        if (stored.isAfter(base)) {
            log.info("the instance before this one recorded {} after this one read {}; reading from there",
                    stored, base);
            closeConnection();
            base = stored;
            confirmUpTo(stored.confirmedLsn());
            start();
        }
        confirmedSent = 0;
        connected = true;
        log.info("reading slot {} from {}, next message id {}", slot.slot(), SlotPosition.lsn(base.confirmedLsn()),
                nextId);
    }

    private void start() throws SQLException {
        nextId = base.messageId() + 1;
        skipCommitsThrough = base.commitLsn();
        transactions.restartFrom(base.confirmedLsn());
        inTransaction = false;
        relations.clear();
        connection = PostgresConnections.openReplication(database, PostgresConnections.SOURCE);
        stream = connection.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                .withSlotName(slot.slot())
                .withStartPosition(LogSequenceNumber.valueOf(base.confirmedLsn()))
                .withSlotOption("proto_version", "1")
                .withSlotOption("publication_names", slot.publication())
                .withStatusInterval((int) statusInterval.toMillis(), TimeUnit.MILLISECONDS)
                .withAutomaticFlush(false) // only positions whose changes are acknowledged are confirmed
                .start();
    }

    private void handle(ByteBuffer message) throws SQLException, InterruptedException {
        PgOutput decoded = PgOutputDecoder.decode(message);
        // Java 17: an instanceof chain over the sealed family (no pattern switch yet).
        if (decoded instanceof PgOutput.Begin b) {
            inTransaction = true;
            position = 0;
            firstId = -1;
            skipTransaction = b.finalLsn() <= skipCommitsThrough;
            origin = new ChangeEnvelope.Origin(SlotPosition.lsn(b.finalLsn()), b.xid() & 0xFFFFFFFFL,
                    postgresTime(b.commitTimeMicros()).toString());
        } else if (decoded instanceof PgOutput.Commit c) {
            inTransaction = false;
            if (!skipTransaction && firstId != -1) {
                transactions.sent(lastId, c.commitLsn(), c.endLsn(), postgresTime(c.commitTimeMicros()).toEpochMilli(),
                        false);
            }
            transactions.readUpTo(c.endLsn());
            // Smart batching: hand a committed transaction over at once when the sender is idle (low latency
            // at low rates); while it is busy, batches grow by themselves (throughput at high rates).
            if (batch.size() >= BATCH || out.isEmpty()) {
                flushBatch();
            }
        } else if (decoded instanceof PgOutput.Relation r) {
            relations.put(r.id(), r);
        } else if (decoded instanceof PgOutput.Insert i) {
            change('c', i.relationId(), null, false, i.row());
        } else if (decoded instanceof PgOutput.Update u) {
            change('u', u.relationId(), u.before(), u.oldKind() == 'K', u.after());
        } else if (decoded instanceof PgOutput.Delete d) {
            change('d', d.relationId(), d.before(), d.oldKind() == 'K', null);
        } else if (decoded instanceof PgOutput.Truncate t) {
            for (int relation : t.relationIds()) {
                PgOutput.Relation r = relation(relation);
                long id = number();
                if (id > 0) {
                    add(new Outgoing(id, envelope.truncate(r, origin, position - 1), envelope.table(r),
                            origin.txid(), position - 1));
                }
            }
        }
        // PgOutput.Ignored: origin, type and logical messages carry nothing to capture.
    }

    private void change(char op, int relationId, PgOutput.Tuple before, boolean beforeIsKey, PgOutput.Tuple after)
            throws SQLException, InterruptedException {
        PgOutput.Relation relation = relation(relationId);
        if (partition != null && !partition.owns(partitionValue(relation, op == 'd' ? before : after, before))) {
            position++; // keeps its place in the transaction; a sibling stream carries it
            return;
        }
        long id = number();
        if (id > 0) {
            int at = position - 1;
            add(new Outgoing(id, envelope.change(op, relation, before, beforeIsKey, after, origin, at),
                    envelope.table(relation), origin.txid(), at));
        }
    }

    /**
     * The partition column's text in {@code row} (null for SQL NULL); an unchanged TOASTed value is read from
     * {@code old} when PostgreSQL sent the old row.
     */
    private String partitionValue(PgOutput.Relation relation, PgOutput.Tuple row, PgOutput.Tuple old) {
        int column = -1;
        for (int i = 0; i < relation.columns().size(); i++) {
            if (relation.columns().get(i).name().equals(partition.column())) {
                column = i;
            }
        }
        if (column < 0 || row == null || column >= row.size()) {
            throw new IllegalStateException("a change of " + relation.qualifiedName() + " carries no value of the "
                    + "partition column " + partition.column() + " (was the column dropped or renamed?)");
        }
        byte kind = row.kinds()[column];
        if (kind == 'u') {
            if (old != null && old != row && column < old.size() && old.kinds()[column] != 'u') {
                return partitionValue(relation, old, null);
            }
            throw new IllegalStateException("an update of " + relation.qualifiedName() + " left the partition column "
                    + partition.column() + " out (an unchanged TOASTed value), so its partition is unknown: "
                    + "ALTER TABLE " + relation.qualifiedName() + " REPLICA IDENTITY FULL, or partition by a short column");
        }
        return kind == 'n' ? null : new String(row.buffer(), row.offsets()[column], row.lengths()[column],
                java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Gives the next change its id; returns it when the change must be handed over, else 0. */
    private long number() {
        position++;
        if (skipTransaction) {
            return 0;
        }
        long id = nextId++;
        if (firstId == -1) {
            firstId = id;
        }
        lastId = id;
        return id > handedOver ? id : 0;
    }

    private void add(Outgoing change) throws SQLException, InterruptedException {
        batch.add(change);
        handedOver = change.id();
        if (batch.size() >= BATCH) {
            flushBatch();
        }
    }

    private PgOutput.Relation relation(int id) {
        PgOutput.Relation relation = relations.get(id);
        if (relation == null) {
            throw new IllegalStateException("pgoutput sent a change for relation " + id + " before describing it");
        }
        return relation;
    }

    private void idle() throws SQLException, InterruptedException {
        flushBatch();
        if (!inTransaction) {
            transactions.readUpTo(stream.getLastReceiveLSN().asLong());
        }
        if (System.nanoTime() - lastStatusNanos > keepaliveInterval.toNanos()) {
            stream.forceUpdateStatus(); // asks for a keepalive, whose position the idle slot may confirm
            lastStatusNanos = System.nanoTime();
        }
    }

    /**
     * Hands the batch over; while the main thread is busy, keeps the session alive with status updates.
     * Returns with the batch still in hand when the reader is closed or must let go of the slot: a server
     * shutting down waits for this session, which is not reading while it waits here (the batch is handed
     * over later; changes read again meanwhile are recognised by id).
     */
    private void flushBatch() throws SQLException, InterruptedException {
        if (batch.isEmpty()) {
            return;
        }
        boolean waited = false;
        while (!out.offer(batch, statusInterval.toMillis(), TimeUnit.MILLISECONDS)) {
            if (!waited) {
                waited = true;
                log.debug("held back: the engine takes changes more slowly than they are read; {} batches wait",
                        out.size());
            }
            confirm();
            keepAlive();
            if (closed || release) {
                return;
            }
        }
        batch = new ArrayList<>(BATCH);
    }

    private void confirm() {
        long target = confirmTarget;
        if (target > confirmedSent && stream != null) {
            LogSequenceNumber lsn = LogSequenceNumber.valueOf(target);
            stream.setFlushedLSN(lsn);
            stream.setAppliedLSN(lsn);
            confirmedSent = target;
        }
    }

    private void keepAlive() throws SQLException {
        if (System.nanoTime() - lastStatusNanos >= statusInterval.toNanos()) {
            stream.forceUpdateStatus();
            lastStatusNanos = System.nanoTime();
        }
    }

    private void finalStatus() {
        if (stream == null) {
            return;
        }
        try {
            confirm();
            stream.forceUpdateStatus();
        } catch (SQLException e) {
            log.debug("final status update failed; the slot keeps the last one", e);
        }
    }

    private void closeConnection() {
        connected = false;
        if (connection != null) {
            try {
                connection.close(); // closing the connection also ends the replication stream
            } catch (SQLException e) {
                log.debug("closing a broken replication connection", e);
            }
        }
        connection = null;
        stream = null;
    }

    /** pgoutput times count microseconds from 2000-01-01 UTC. */
    static Instant postgresTime(long micros) {
        return Instant.ofEpochSecond(946_684_800L + Math.floorDiv(micros, 1_000_000L),
                Math.floorMod(micros, 1_000_000L) * 1000L);
    }
}
