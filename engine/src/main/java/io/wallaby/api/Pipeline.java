package io.wallaby.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What an application does to each source message: decode the payload, run the computations in
 * order, encode every final output. Built with a small typed builder:
 *
 * <pre>{@code
 * Pipeline.source("transactions", new TransactionDecoder())
 *         .then(new Alerts())
 *         .sink("alert_log", text -> text.getBytes(UTF_8));
 * }</pre>
 *
 * <p>Every source stream {@code S} feeds its outputs to its own sink stream, named
 * {@code <sinkName>/<S>} ({@code alert_log/transactions} above). The source name names the kind of
 * input the pipeline expects; it appears in logs.
 *
 * <p>A pipeline is immutable and thread-safe when its decoder, computations and encoder are.
 */
public final class Pipeline {

    private final String sourceName;
    private final Decoder<?> decoder;
    private final List<Computation<Object, Object>> computations;
    private final String sinkName;
    private final Encoder<Object> encoder;

    private Pipeline(Stage<?> last, String sinkName, Encoder<Object> encoder) {
        this.sourceName = last.sourceName;
        this.decoder = last.decoder;
        this.computations = List.copyOf(last.computations);
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

    /**
     * Runs one payload through the pipeline, exactly as the engine does for each message, and returns
     * the encoded outputs in order (possibly none). Runtime exceptions from the user's code propagate.
     *
     * @throws DecodeException when the decoder rejects the payload
     */
    public List<byte[]> apply(byte[] payload) throws DecodeException {
        List<Object> values = new ArrayList<>(1);
        values.add(decoder.decode(payload));
        for (Computation<Object, Object> computation : computations) {
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
        private final List<Computation<Object, Object>> computations;

        private Stage(String sourceName, Decoder<?> decoder, List<Computation<Object, Object>> computations) {
            this.sourceName = sourceName;
            this.decoder = decoder;
            this.computations = computations;
        }

        /** Adds a computation that turns each {@code T} into zero or more {@code O}. */
        @SuppressWarnings("unchecked")
        public <O> Stage<O> then(Computation<? super T, ? extends O> computation) {
            Objects.requireNonNull(computation, "computation");
            List<Computation<Object, Object>> more = new ArrayList<>(computations);
            more.add((Computation<Object, Object>) (Computation<?, ?>) computation);
            return new Stage<>(sourceName, decoder, List.copyOf(more));
        }

        /** Ends the pipeline: each final value is encoded into the payload of a sink message. */
        @SuppressWarnings("unchecked")
        public Pipeline sink(String sinkName, Encoder<? super T> encoder) {
            return new Pipeline(this, sinkName, (Encoder<Object>) encoder);
        }
    }
}
