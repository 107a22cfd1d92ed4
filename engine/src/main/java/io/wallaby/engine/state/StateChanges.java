package io.wallaby.engine.state;

/**
 * What changed in one step's state since the last checkpoint, encoded on the stream's lane thread when the
 * checkpoint is taken and written by the checkpoint thread.
 */
public interface StateChanges {

    /** Receives encoded entries: a null value deletes the key. */
    interface Writer {
        void put(byte[] key, byte[] value);
    }

    /** Entries changed. */
    int size();

    /** Gives every change to {@code writer}, in order (the later of two entries for one key wins). */
    void writeTo(Writer writer);

    /**
     * This checkpoint was not written: its changes go back under {@code newer} (the changes taken since),
     * which win where both changed a key, so that the next checkpoint carries both.
     */
    StateChanges under(StateChanges newer);
}
