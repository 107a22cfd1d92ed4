package io.wallaby.engine.state;

/**
 * What changed in one step's state since the last checkpoint, taken on the stream's lane thread in
 * constant time and encoded later, on the checkpoint thread (values are immutable: see
 * {@code io.wallaby.api.ValueState}).
 */
public interface StateChanges {

    /** Receives encoded entries: a null value deletes the key. */
    interface Writer {
        void put(byte[] key, byte[] value);
    }

    /** Entries changed. */
    int size();

    /** Encodes every change into {@code writer}. Called once, on the checkpoint thread. */
    void writeTo(Writer writer);

    /**
     * This checkpoint was not written: its changes go back under {@code newer} (the changes taken since),
     * which win where both changed a key, so that the next checkpoint carries both.
     */
    StateChanges under(StateChanges newer);
}
