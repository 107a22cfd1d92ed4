package io.wallaby.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What an application does to each source message: decode the payload, run the steps in order, encode
 * every final output. Built with a small typed builder:
 *
 * <pre>{@code
 * Pipeline.source("transactions", new TransactionDecoder())
 *         .then(new Alerts())
 *         .sink("alert_log", text -> text.getBytes(UTF_8));
 * }</pre>
 *
 * <p>A step is stateless ({@link Stage#then}), keyed ({@link Stage#keyed}: state per key) or windowed
 * ({@link Stage#window}: per key and event-time window). A pipeline with a keyed or windowed step is
 * <em>stateful</em>: the engine checkpoints its state with each stream's position (see
 * {@link KeyedComputation} for what that promises and asks).
 *
 * <p>Every source stream {@code S} feeds its outputs to its own sink stream, named
 * {@code <sinkName>/<S>} ({@code alert_log/transactions} above). The source name names the kind of
 * input the pipeline expects; it appears in logs.
 *
 * <p>A pipeline is immutable and thread-safe when its decoder, steps and encoder are.
 */
public final class Pipeline {

    private final String sourceName;
    private final Decoder<?> decoder;
    private final List<Step> steps;
    private final String sinkName;
    private final Encoder<Object> encoder;

    private Pipeline(Stage<?> last, String sinkName, Encoder<Object> encoder) {
        this.sourceName = last.sourceName;
        this.decoder = last.decoder;
        this.steps = List.copyOf(last.steps);
        this.sinkName = requireName(sinkName, "sink name");
        this.encoder = Objects.requireNonNull(encoder, "encoder");
    }

    /** Starts a pipeline whose inputs are made from message payloads by {@code decoder}. */
    public static <I> Stage<I> source(String sourceName, Decoder<I> decoder) {
        return new Stage<>(requireName(sourceName, "source name"), Objects.requireNonNull(decoder, "decoder"),
                List.of());
    }

    public String sourceName() {
        return sourceName;
    }

    public String sinkName() {
        return sinkName;
    }

    /** The name of the sink stream that receives the outputs of source stream {@code sourceStreamName}. */
    public String sinkStreamName(String sourceStreamName) {
        return sinkName + "/" + sourceStreamName;
    }

    @SuppressWarnings("unchecked")
    public Decoder<Object> decoder() {
        return (Decoder<Object>) decoder;
    }

    public List<Step> steps() {
        return steps;
    }

    public Encoder<Object> encoder() {
        return encoder;
    }

    /** Whether a step keeps state, so that the engine checkpoints each stream. */
    public boolean stateful() {
        return steps.stream().anyMatch(Step::stateful);
    }

    /**
     * Runs one payload through a stateless pipeline, exactly as the engine does for each message, and
     * returns the encoded outputs in order (possibly none). Runtime exceptions from the user's code
     * propagate. A stateful pipeline runs only in the engine, which holds its state.
     *
     * @throws DecodeException       when the decoder rejects the payload
     * @throws IllegalStateException when the pipeline is stateful
     */
    public List<byte[]> apply(byte[] payload) throws DecodeException {
        if (stateful()) {
            throw new IllegalStateException("a stateful pipeline runs in the engine, which holds its state");
        }
        List<Object> values = new ArrayList<>(1);
        values.add(decoder.decode(payload));
        for (Step step : steps) {
            Computation<Object, Object> computation = ((Step.Stateless) step).computation();
            List<Object> next = new ArrayList<>(values.size());
            for (Object value : values) {
                computation.compute(value, next::add);
            }
            values = next;
        }
        List<byte[]> encoded = new ArrayList<>(values.size());
        for (Object value : values) {
            encoded.add(encoder.encode(value));
        }
        return encoded;
    }

    private static String requireName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return name;
    }

    /**
     * A pipeline under construction whose values so far are of type {@code T}.
     *
     * @param <T> the type the last step produces
     */
    public static final class Stage<T> {

        private final String sourceName;
        private final Decoder<?> decoder;
        private final List<Step> steps;

        private Stage(String sourceName, Decoder<?> decoder, List<Step> steps) {
            this.sourceName = sourceName;
            this.decoder = decoder;
            this.steps = steps;
        }

        /** Adds a stateless computation that turns each {@code T} into zero or more {@code O}. */
        @SuppressWarnings("unchecked")
        public <O> Stage<O> then(Computation<? super T, ? extends O> computation) {
            Objects.requireNonNull(computation, "computation");
            return add(new Step.Stateless((Computation<Object, Object>) (Computation<?, ?>) computation));
        }

        /**
         * Adds a keyed computation: state of type {@code S} per key, written into checkpoints with
         * {@code states}; keys written with {@code keys}.
         */
        @SuppressWarnings("unchecked")
        public <K, S, O> Stage<O> keyed(KeyedComputation<? super T, K, S, ? extends O> computation, Codec<K> keys,
                                        Codec<S> states) {
            return add(new Step.Keyed(
                    (KeyedComputation<Object, Object, Object, Object>) (KeyedComputation<?, ?, ?, ?>)
                            Objects.requireNonNull(computation, "computation"),
                    (Codec<Object>) Objects.requireNonNull(keys, "keys"),
                    (Codec<Object>) Objects.requireNonNull(states, "states")));
        }

        /**
         * Adds a windowed aggregation: one accumulator of type {@code A} per key and window of {@code windows},
         * written into checkpoints with {@code accumulators}; keys written with {@code keys}.
         */
        @SuppressWarnings("unchecked")
        public <K, A, O> Stage<O> window(Windows windows, WindowedAggregation<? super T, K, A, ? extends O> aggregation,
                                         Codec<K> keys, Codec<A> accumulators) {
            return add(new Step.Windowed(Objects.requireNonNull(windows, "windows"),
                    (WindowedAggregation<Object, Object, Object, Object>) (WindowedAggregation<?, ?, ?, ?>)
                            Objects.requireNonNull(aggregation, "aggregation"),
                    (Codec<Object>) Objects.requireNonNull(keys, "keys"),
                    (Codec<Object>) Objects.requireNonNull(accumulators, "accumulators")));
        }

        /** Ends the pipeline: each final value is encoded into the payload of a sink message. */
        @SuppressWarnings("unchecked")
        public Pipeline sink(String sinkName, Encoder<? super T> encoder) {
            return new Pipeline(this, sinkName, (Encoder<Object>) encoder);
        }

        private <O> Stage<O> add(Step step) {
            List<Step> more = new ArrayList<>(steps);
            more.add(step);
            return new Stage<>(sourceName, decoder, List.copyOf(more));
        }
    }
}
