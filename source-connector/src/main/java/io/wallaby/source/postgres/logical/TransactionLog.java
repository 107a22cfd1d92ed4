package io.wallaby.source.postgres.logical;

import java.util.ArrayDeque;

/**
 * The transactions sent to the engine and not yet acknowledged, in commit order, and how far the
 * replication stream has been read. It answers the one question that moves a slot: given the engine's
 * acknowledged point, what position may be recorded and confirmed?
 *
 * <p>A transaction is done when the engine acknowledges its last message; the slot may then be confirmed
 * at its end LSN, and not before (confirming inside a transaction would make the server skip its rest).
 * When nothing sent is pending, the position read so far (the end of the last transaction, or a
 * keepalive's position) may be confirmed: everything the server decoded below it has been received.
 *
 * <p>Thread-safe: the reader appends, the recorder pops.
 */
final class TransactionLog {

    private record Entry(long lastId, long commitLsn, long endLsn, long commitTimeMillis, boolean snapshot) { }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long readPosition;

    /** A transaction (or the snapshot, {@code commitLsn} 0) whose messages end at {@code lastId} was sent. */
    synchronized void sent(long lastId, long commitLsn, long endLsn, long commitTimeMillis, boolean snapshot) {
        entries.add(new Entry(lastId, commitLsn, endLsn, commitTimeMillis, snapshot));
    }

    /** Everything the server decoded below {@code position} has been read, and sent where it was ours. */
    synchronized void readUpTo(long position) {
        readPosition = Math.max(readPosition, position);
    }

    /**
     * Forgets the transactions the engine acknowledged up to {@code point} and returns the position that
     * may now be recorded: {@code recorded} itself when nothing moved.
     */
    synchronized SlotPosition acknowledged(long point, SlotPosition recorded) {
        SlotPosition position = recorded;
        while (!entries.isEmpty() && entries.peek().lastId() <= point) {
            Entry done = entries.poll();
            position = done.snapshot()
                    ? new SlotPosition(true, position.commitLsn(), done.lastId(), Math.max(done.endLsn(), position.confirmedLsn()))
                    : new SlotPosition(position.snapshotDone(), done.commitLsn(), done.lastId(), done.endLsn());
        }
        if (entries.isEmpty() && readPosition > position.confirmedLsn()) {
            position = position.withConfirmed(readPosition);
        }
        return position;
    }

    /** Commit time of the oldest transaction sent and not acknowledged, or -1 when none is pending. */
    synchronized long oldestPendingCommitMillis() {
        Entry oldest = entries.peek();
        return oldest == null ? -1 : oldest.commitTimeMillis();
    }

    /** The replication connection was lost: what was pending is read again, from the recorded position. */
    synchronized void restartFrom(long position) {
        entries.removeIf(e -> !e.snapshot());
        readPosition = position;
    }
}
