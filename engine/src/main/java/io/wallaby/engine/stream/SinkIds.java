package io.wallaby.engine.stream;

/**
 * The sink-id rule, the core invariant of docs/ARCHITECTURE.md ("Ids and points of reference"): the
 * {@code k}-th output (k from 0) of source message {@code m} has the sink message id
 * {@code m * 65536 + k}, that is {@code of(m, k)}.
 *
 * <p>Why this rule: the id is a function of the output's origin alone, so an output regenerated after an
 * engine restart (its source message replayed) carries the id it had before, and the sink's duplicate check
 * (skip ids at or below the committed point) drops it; and ids strictly increase within a sink stream,
 * because source ids strictly increase within their stream and {@code k} never reaches the next source id's
 * range. Both hold only within two bounds, checked where the values come in (the source session refuses a
 * larger id, the application step keeps no output of an input that gave too many): an input gives at most
 * {@link #MAX_OUTPUTS_PER_INPUT} outputs, and a source message id is at most {@link #MAX_SOURCE_ID}, so that
 * the shift loses no bit and no output gets the id 2^64 - 1, which the protocol reserves for "none"
 * ({@code Frame.U64_MAX}).
 */
public final class SinkIds {

    /** Bits of a sink id that count the outputs of one input; the rest is the source message id. */
    private static final int OUTPUT_BITS = 16;

    /** The most outputs one input may give: 65,536. */
    public static final int MAX_OUTPUTS_PER_INPUT = 1 << OUTPUT_BITS;

    /**
     * The largest source message id the engine accepts: 2^48 - 2. With 2^48 - 1 its last output would get
     * the id 2^64 - 1, the protocol's "none", and a sink could never acknowledge it.
     */
    public static final long MAX_SOURCE_ID = (1L << (Long.SIZE - OUTPUT_BITS)) - 2;

    private SinkIds() {
    }

    /**
     * The sink message id of output {@code outputIndex} (from 0) of source message {@code sourceMessageId}.
     *
     * @throws IllegalArgumentException when either is out of its bound: two outputs would share an id
     */
    public static long of(long sourceMessageId, int outputIndex) {
        if (Long.compareUnsigned(sourceMessageId, MAX_SOURCE_ID) > 0 || outputIndex < 0
                || outputIndex >= MAX_OUTPUTS_PER_INPUT) {
            throw new IllegalArgumentException("no sink id for output " + outputIndex + " of source message "
                    + Long.toUnsignedString(sourceMessageId) + ": at most " + MAX_OUTPUTS_PER_INPUT
                    + " outputs per input and source ids up to " + MAX_SOURCE_ID);
        }
        return (sourceMessageId << OUTPUT_BITS) | outputIndex;
    }
}
