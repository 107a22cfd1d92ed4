package io.wallaby.api;

import java.util.function.Consumer;

/**
 * A step that remembers: each input belongs to a key, and the step sees and changes that key's state.
 * State belongs to a (source stream, key) pair: the same key on two streams has two states, because a
 * stream is the unit of order and parallelism (a source that splits its data by key sends one key on one
 * stream). Added with {@link Pipeline.Stage#keyed}.
 *
 * <p><b>Threads.</b> Calls for one stream are sequential, in message order, on one engine lane thread;
 * calls for different streams may run at the same time on other lanes. An instance serves every stream,
 * so keep no mutable fields: keep what you remember in the {@link ValueState}.
 *
 * <p><b>Durability and replay.</b> The engine checkpoints each stream's state together with the stream's
 * position every {@code --checkpoint-interval}. After a crash it restores the last checkpoint and the
 * source replays the messages after it, so this step is called again for them with the state as it was
 * at the checkpoint. The outputs and state must therefore be a deterministic function of the inputs in
 * order and the state: no clock, no randomness, no outside lookups. Then the outputs come out exactly as
 * without the crash, with the same ids, and the sink drops those it already has.
 *
 * @param <I> the input
 * @param <K> the key
 * @param <S> the state of one key
 * @param <O> the output
 */
public interface KeyedComputation<I, K, S, O> {

    /** The key of {@code input}. */
    K key(I input);

    /** Handles {@code input} with the state of its key; outputs as in {@link Computation}. */
    void compute(I input, ValueState<S> state, Consumer<O> output);
}
