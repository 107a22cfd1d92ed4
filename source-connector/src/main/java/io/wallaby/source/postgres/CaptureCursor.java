package io.wallaby.source.postgres;

/**
 * A position in {@code wallaby.changes}: the writing transaction's id and the row's sequence value. Rows
 * are read in (txid, seq) order, so a cursor says "everything up to here has been read".
 *
 * @param txid a full 64-bit transaction id (xid8: epoch and xid), as PostgreSQL prints it
 * @param seq  the row's {@code seq}
 */
record CaptureCursor(long txid, long seq) {

    /** Before every row: no transaction id is 0. */
    static final CaptureCursor START = new CaptureCursor(0, 0);

    @Override
    public String toString() {
        return "(txid " + txid + ", seq " + seq + ")";
    }
}
