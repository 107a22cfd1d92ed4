package io.wallaby.connector;

import java.nio.charset.StandardCharsets;

/**
 * One message the engine delivered to a sink connector.
 *
 * @param streamName the sink stream it belongs to, e.g. {@code alert_log/transactions}
 * @param messageId  its id: strictly increasing within the stream, and the same when redelivered
 * @param key        the routing key, or {@code null}
 * @param eventTime  the event time the engine gave it (0 when none)
 */
public record SinkMessage(String streamName, long streamId, long messageId, byte[] key, byte[] payload,
                          long eventTime) {

    /** The payload as UTF-8 text. */
    public String payloadText() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "SinkMessage[stream=" + streamName + ", id=" + Long.toUnsignedString(messageId) + ", payload="
                + payload.length + " bytes]";
    }
}
