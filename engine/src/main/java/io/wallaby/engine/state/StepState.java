package io.wallaby.engine.state;

/** The working state of one stateful step on one stream. Confined to the stream's lane thread. */
public sealed interface StepState permits KeyedValues, WindowedValues {

    /** Takes what changed since the last call, for a checkpoint; null when nothing did. */
    StateChanges takeChanges();

    /** Puts back one entry as a checkpoint stored it. */
    void restore(byte[] key, byte[] value);

    /** Entries held, for /status. */
    long size();
}
