package io.wallaby.api;

/**
 * One step of a {@link Pipeline}, as the engine's runtime reads it: the closed family of what a step can
 * be. Users build steps with {@link Pipeline.Stage}'s methods and never need this type.
 */
public sealed interface Step permits Step.Stateless, Step.Keyed, Step.Windowed {

    /** Whether the engine keeps state for this step, so that its stream needs checkpoints. */
    boolean stateful();

    /** {@link Pipeline.Stage#then}. */
    record Stateless(Computation<Object, Object> computation) implements Step {
        @Override
        public boolean stateful() {
            return false;
        }
    }

    /** {@link Pipeline.Stage#keyed}. */
    record Keyed(KeyedComputation<Object, Object, Object, Object> computation, Codec<Object> keys,
                 Codec<Object> states) implements Step {
        @Override
        public boolean stateful() {
            return true;
        }
    }

    /** {@link Pipeline.Stage#window}. */
    record Windowed(Windows windows, WindowedAggregation<Object, Object, Object, Object> aggregation,
                    Codec<Object> keys, Codec<Object> accumulators) implements Step {
        @Override
        public boolean stateful() {
            return true;
        }
    }
}
