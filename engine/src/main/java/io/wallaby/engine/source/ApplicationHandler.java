package io.wallaby.engine.source;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.wallaby.api.DecodeException;
import io.wallaby.api.Pipeline;
import io.wallaby.engine.stream.EngineCounters;
import io.wallaby.engine.stream.OutputLog;
import io.wallaby.engine.stream.SinkIds;
import io.wallaby.engine.stream.SourceStream;
import io.wallaby.protocol.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The application step: runs each accepted message through the pipeline, appends the outputs to
 * the stream's output log with the ids of {@link SinkIds}, and records the message as in
 * flight. The user's code can fail but never takes the connection or the engine down: a rejected
 * payload or a runtime exception is logged, counted, written to the {@link DeadLetterFile} (fsynced),
 * and only then does the message count as processed with no output, so its acknowledgement comes after
 * the dead letter is on disk. When the dead letter cannot be written the message is held: the stream's
 * acknowledgement stops before it, the source keeps it, and the operator sees an ERROR.
 */
public final class ApplicationHandler extends SimpleChannelInboundHandler<AcceptedMessage> {

    private static final Logger log = LoggerFactory.getLogger(ApplicationHandler.class);
    private static final int PAYLOAD_SHOWN = 200;

    private final Pipeline pipeline;
    private final EngineCounters counters;
    private final DeadLetterFile deadLetters;

    /** Why a message produced nothing; null when it was fine. */
    private String failure;

    public ApplicationHandler(Pipeline pipeline, EngineCounters counters, DeadLetterFile deadLetters) {
        this.pipeline = pipeline;
        this.counters = counters;
        this.deadLetters = deadLetters;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, AcceptedMessage accepted) {
        SourceStream stream = accepted.stream();
        Frame.Message message = accepted.message();
        failure = null;
        List<byte[]> payloads = run(stream, message);
        if (failure != null && !deadLetter(stream, message, failure)) {
            stream.hold(message.messageId());
            counters.countProcessed(0);
            return;
        }
        if (!payloads.isEmpty()) {
            List<OutputLog.Output> outputs = new ArrayList<>(payloads.size());
            for (int k = 0; k < payloads.size(); k++) {
                outputs.add(new OutputLog.Output(SinkIds.of(message.messageId(), k), message.eventTime(),
                        payloads.get(k)));
            }
            // Outputs first, in-flight entry second: a commit can then never miss the entry.
            stream.outputs().append(outputs);
        }
        stream.processed(message.messageId(), !payloads.isEmpty(),
                SinkIds.of(message.messageId(), Math.max(0, payloads.size() - 1)));
        counters.countProcessed(payloads.size());
    }

    private List<byte[]> run(SourceStream stream, Frame.Message message) {
        if (message.payload().length == 0) {
            return List.of();
        }
        try {
            List<byte[]> outputs = pipeline.apply(message.payload());
            if (outputs.size() > SinkIds.MAX_OUTPUTS_PER_INPUT) {
                counters.countApplicationFailure();
                log.warn("Stream {} message {}: the application gave {} outputs, more than the {} allowed; "
                        + "none kept", stream, Long.toUnsignedString(message.messageId()), outputs.size(),
                        SinkIds.MAX_OUTPUTS_PER_INPUT);
                failure = "the application gave " + outputs.size() + " outputs, more than the "
                        + SinkIds.MAX_OUTPUTS_PER_INPUT + " allowed";
                return List.of();
            }
            return outputs;
        } catch (DecodeException e) {
            counters.countDecodeFailure();
            log.warn("Stream {} message {}: cannot decode the payload: {}; payload: {}", stream,
                    Long.toUnsignedString(message.messageId()), e.getMessage(), shown(message.payload()));
            failure = "cannot decode: " + e.getMessage();
        } catch (RuntimeException e) {
            counters.countApplicationFailure();
            log.warn("Stream {} message {}: the application failed; payload: {}", stream,
                    Long.toUnsignedString(message.messageId()), shown(message.payload()), e);
            failure = "the application failed: " + e;
        }
        return List.of();
    }

    /** Writes the dead letter; false (after an ERROR line) when it could not be made durable. */
    private boolean deadLetter(SourceStream stream, Frame.Message message, String reason) {
        try {
            deadLetters.write(stream.name(), message.messageId(), reason, message.payload());
            return true;
        } catch (IOException | RuntimeException e) {
            log.error("Stream {} message {}: cannot write the dead letter to {} ({}); the message is held "
                    + "unacknowledged, so the stream's acknowledgements stop here until the engine restarts "
                    + "and the source sends it again", stream, Long.toUnsignedString(message.messageId()),
                    deadLetters, e.toString());
            return false;
        }
    }

    private static String shown(byte[] payload) {
        String text = new String(payload, StandardCharsets.UTF_8);
        return text.length() <= PAYLOAD_SHOWN ? text : text.substring(0, PAYLOAD_SHOWN) + "... (" + payload.length
                + " bytes)";
    }
}
