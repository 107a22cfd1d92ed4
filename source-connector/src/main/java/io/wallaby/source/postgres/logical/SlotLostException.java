package io.wallaby.source.postgres.logical;

/**
 * The slot cannot give what the recorded position needs: it was dropped, or PostgreSQL invalidated it
 * (its WAL passed {@code max_slot_wal_keep_size}), or something else moved it past what was recorded.
 * Changes may be missing, so capture stops rather than silently going on from the server's position.
 */
public final class SlotLostException extends IllegalStateException {

    SlotLostException(String message) {
        super(message);
    }
}
