package io.wallaby.source.postgres.logical;


/**
 * Where a logical capture stands, as recorded in {@code wallaby.slot_offsets}: every change up to message
 * {@code messageId} is acknowledged by the engine; the last of them committed at {@code commitLsn} (0 while
 * only the snapshot has been sent); {@code confirmedLsn} is the position confirmed to the slot, so the
 * server sends nothing of ours below it again, except after a crash of its own, which can move the slot
 * back (then transactions committed at or below {@code commitLsn} are recognised and skipped).
 *
 * @param snapshotDone the initial snapshot (or the decision to take none) is complete and acknowledged
 */
record SlotPosition(boolean snapshotDone, long commitLsn, long messageId, long confirmedLsn) {

    SlotPosition withConfirmed(long lsn) {
        return new SlotPosition(snapshotDone, commitLsn, messageId, lsn);
    }

    /**
     * True when this position is further than {@code other} and behind it in nothing: what the recorder
     * may write over it.
     */
    boolean isAfter(SlotPosition other) {
        boolean notBehind = messageId >= other.messageId && confirmedLsn >= other.confirmedLsn
                && (snapshotDone || !other.snapshotDone);
        return notBehind && (messageId > other.messageId || confirmedLsn > other.confirmedLsn
                || snapshotDone != other.snapshotDone);
    }

    static String lsn(long value) {
        return Lsn.format(value);
    }

    @Override
    public String toString() {
        return "message " + messageId + " (commit " + lsn(commitLsn) + ", confirmed " + lsn(confirmedLsn)
                + (snapshotDone ? "" : ", snapshot not complete") + ")";
    }
}
