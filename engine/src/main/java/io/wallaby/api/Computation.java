package io.wallaby.api;

import java.util.function.Consumer;

/**
 * One step of a pipeline: turns one input into zero, one or more outputs.
 *
 * <p>A computation is stateless (for state, see {@link KeyedComputation} and {@link WindowedAggregation}).
 * Like decoders it is called on the engine's lane threads, sequentially for one stream and concurrently for
 * different streams, so it must be thread-safe.
 *
 * <p>The outputs given to {@code output} during one call, in order, are the results of that input;
 * the consumer must not be kept or used after {@code compute} returns. One input may give at most
 * 65,536 outputs (see ARCHITECTURE.md, "Ids and points of reference").
 *
 * @param <I> the input
 * @param <O> the output
 */
@FunctionalInterface
public interface Computation<I, O> {

    void compute(I input, Consumer<O> output);
}
