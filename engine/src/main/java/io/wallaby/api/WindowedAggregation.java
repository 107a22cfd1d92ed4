package io.wallaby.api;

import java.util.function.Consumer;

/**
 * A step that folds the inputs of each key into event-time windows and gives outputs when a window
 * closes (see {@link Windows} for the watermark and lateness). Added with {@link Pipeline.Stage#window}.
 *
 * <p>Per stream, key and window the engine keeps one accumulator: {@code add(null, first)}, then
 * {@code add(accumulator, next)} for each later input, in message order. When the stream's watermark
 * reaches the window's end, {@link #close} is called once with the final accumulator, and the window is
 * forgotten. Windows closing together close in order of their end, then of their key's encoded bytes.
 * Their outputs count as outputs of the message that moved the watermark; one message gives at most
 * 65,536 outputs, so when more windows close at once the rest close with the next message(s).
 *
 * <p>Threads, durability and replay are as for {@link KeyedComputation}: sequential per stream on a lane
 * thread, every method deterministic, accumulators immutable (return a new one from {@code add}: the
 * engine tracks changes by the accumulator returned).
 *
 * @param <I> the input
 * @param <K> the key
 * @param <A> the accumulator of one key and window
 * @param <O> the output
 */
public interface WindowedAggregation<I, K, A, O> {

    /** The key of {@code input}. */
    K key(I input);

    /** The event time of {@code input}, in milliseconds since the Unix epoch. */
    long eventTime(I input);

    /** The accumulator after {@code input}; {@code accumulator} is null for the window's first input. */
    A add(A accumulator, I input);

    /** The window closed: give its outputs, if any. */
    void close(K key, Window window, A accumulator, Consumer<O> output);
}
