package io.wallaby.engine.process;

import io.wallaby.api.DecodeException;
import io.wallaby.api.KeyedComputation;
import io.wallaby.api.Pipeline;
import io.wallaby.api.Step;
import io.wallaby.engine.state.KeyedValues;
import io.wallaby.engine.state.StreamState;
import io.wallaby.engine.state.WindowedValues;
import io.wallaby.engine.stream.EngineCounters;
import io.wallaby.engine.stream.SinkIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the application runs: one payload through the decoder, every step (with the stream's state where a
 * step keeps some) and the encoder. The user's code can fail but never takes the engine down: a rejected
 * payload or a runtime exception is logged, counted, and reported as the message's failure, with no output.
 * Thread-safe: the state it changes is the one it is given.
 */
public final class PipelineRunner {

    private static final Logger log = LoggerFactory.getLogger(PipelineRunner.class);
    private static final int PAYLOAD_SHOWN = 200;

    /** The dead-letter reason of an input whose windows had all closed. */
    public static final String LATE = "late";

    /**
     * What one message gave.
     *
     * @param payloads the encoded outputs, in order
     * @param failure  why the message goes to the dead letters, or null; outputs may come with a failure
     *                 (a late input in a message that also closed windows)
     */
    public record Outcome(List<byte[]> payloads, String failure) {
        static final Outcome NOTHING = new Outcome(List.of(), null);
    }

    private final Pipeline pipeline;
    private final EngineCounters counters;

    public PipelineRunner(Pipeline pipeline, EngineCounters counters) {
        this.pipeline = pipeline;
        this.counters = counters;
    }

    /**
     * Runs {@code payload}, message {@code messageId} of {@code stream}, with {@code state} (null for a stateless
     * pipeline).
     */
    public Outcome run(String stream, long messageId, byte[] payload, StreamState state) {
        if (payload.length == 0) {
            return Outcome.NOTHING;
        }
        try {
            String[] failure = {null};
            List<byte[]> outputs = apply(payload, state, failure);
            if (outputs.size() > SinkIds.MAX_OUTPUTS_PER_INPUT) {
                counters.countApplicationFailure();
                log.warn("Stream {} message {}: the application gave {} outputs, more than the {} allowed; none kept",
                        stream, Long.toUnsignedString(messageId), outputs.size(), SinkIds.MAX_OUTPUTS_PER_INPUT);
                return new Outcome(List.of(), "the application gave " + outputs.size() + " outputs, more than the "
                        + SinkIds.MAX_OUTPUTS_PER_INPUT + " allowed");
            }
            if (failure[0] != null) {
                counters.countLate();
                log.debug("Stream {} message {}: late, its windows had closed", stream,
                        Long.toUnsignedString(messageId));
            }
            return new Outcome(outputs, failure[0]);
        } catch (DecodeException e) {
            counters.countDecodeFailure();
            log.warn("Stream {} message {}: cannot decode the payload: {}; payload: {}", stream,
                    Long.toUnsignedString(messageId), e.getMessage(), shown(payload));
            return new Outcome(List.of(), "cannot decode: " + e.getMessage());
        } catch (RuntimeException e) {
            counters.countApplicationFailure();
            log.warn("Stream {} message {}: the application failed; payload: {}", stream,
                    Long.toUnsignedString(messageId), shown(payload), e);
            return new Outcome(List.of(), "the application failed: " + e);
        }
    }

    private List<byte[]> apply(byte[] payload, StreamState state, String[] failure) throws DecodeException {
        List<Object> values = new ArrayList<>(1);
        values.add(pipeline.decoder().decode(payload));
        List<Step> steps = pipeline.steps();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            List<Object> next = new ArrayList<>(values.size());
            if (step instanceof Step.Stateless stateless) {
                for (Object value : values) {
                    stateless.computation().compute(value, next::add);
                }
            } else if (step instanceof Step.Keyed keyed) {
                KeyedComputation<Object, Object, Object, Object> computation = keyed.computation();
                KeyedValues keyedValues = (KeyedValues) state.step(i);
                for (Object value : values) {
                    computation.compute(value, keyedValues.of(computation.key(value)), next::add);
                }
            } else if (step instanceof Step.Windowed) {
                WindowedValues windowed = (WindowedValues) state.step(i);
                for (Object value : values) {
                    if (!windowed.add(value)) {
                        failure[0] = LATE;
                    }
                }
                windowed.close(SinkIds.MAX_OUTPUTS_PER_INPUT - next.size(), next::add);
            }
            values = next;
        }
        List<byte[]> encoded = new ArrayList<>(values.size());
        for (Object value : values) {
            encoded.add(pipeline.encoder().encode(value));
        }
        return encoded;
    }

    private static String shown(byte[] payload) {
        String text = new String(payload, StandardCharsets.UTF_8);
        return text.length() <= PAYLOAD_SHOWN ? text : text.substring(0, PAYLOAD_SHOWN) + "... (" + payload.length
                + " bytes)";
    }
}
