package io.wallaby.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One frame of the connector protocol. The family is closed: every frame the wire can carry is one
 * of the records below, and {@link #type()} lets a handler {@code switch} over them.
 *
 * <p>Unsigned 64-bit wire values (stream ids, message ids, points of reference) are held in Java
 * {@code long}s bit for bit; compare them with {@link Long#compareUnsigned}. {@link #U64_MAX}
 * ({@code -1L}) is the point of reference that means "nothing acknowledged yet".
 */
public sealed interface Frame {

    /** The point of reference 2^64-1: nothing acknowledged yet, start from the beginning. */
    long U64_MAX = -1L;

    /** The only protocol version the engine and the SDK speak. */
    String VERSION = "0.0.1";

    FrameType type();

    /** A connector introduces itself. */
    record Hello(String version, String cookie, String programName, String instanceName) implements Frame {
        public Hello {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(cookie, "cookie");
            Objects.requireNonNull(programName, "programName");
            Objects.requireNonNull(instanceName, "instanceName");
        }

        @Override
        public FrameType type() {
            return FrameType.HELLO;
        }

        @Override
        public String toString() {
            // The cookie is a shared secret: never print it.
            return "Hello[version=" + version + ", program=" + programName + ", instance=" + instanceName + "]";
        }
    }

    /** The handshake succeeded; the connector may send {@code initialCredits} frames. */
    record Ok(long initialCredits) implements Frame {
        public Ok {
            Frames.checkU32(initialCredits, "initial credits");
        }

        @Override
        public FrameType type() {
            return FrameType.OK;
        }
    }

    /** The session ends; the reason says why. */
    record Error(String reason) implements Frame {
        public Error {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public FrameType type() {
            return FrameType.ERROR;
        }
    }

    /** The sender is about to send data on a stream, and says where it stands. */
    record Notify(long streamId, String streamName, long pointOfReference) implements Frame {
        public Notify {
            Objects.requireNonNull(streamName, "streamName");
        }

        @Override
        public FrameType type() {
            return FrameType.NOTIFY;
        }
    }

    /** The answer to {@link Notify}: whether the stream may be used, and from which point on. */
    record NotifyAck(boolean success, long streamId, long pointOfReference) implements Frame {
        @Override
        public FrameType type() {
            return FrameType.NOTIFY_ACK;
        }
    }

    /**
     * One piece of data on a stream. {@code key} is {@code null} when the message has no routing
     * key; {@code payload} may be empty (the message only moves the stream's position forward).
     */
    record Message(long streamId, long messageId, long eventTime, byte[] key, byte[] payload) implements Frame {
        public Message {
            Objects.requireNonNull(payload, "payload");
            if (key != null && key.length == 0) {
                key = null;
            }
        }

        /** A message with no key and no event time. */
        public static Message of(long streamId, long messageId, byte[] payload) {
            return new Message(streamId, messageId, 0L, null, payload);
        }

        @Override
        public FrameType type() {
            return FrameType.MESSAGE;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Message m
                    && streamId == m.streamId && messageId == m.messageId && eventTime == m.eventTime
                    && Arrays.equals(key, m.key) && Arrays.equals(payload, m.payload);
        }

        @Override
        public int hashCode() {
            return Objects.hash(streamId, messageId, eventTime, Arrays.hashCode(key), Arrays.hashCode(payload));
        }

        @Override
        public String toString() {
            return "Message[stream=" + Long.toUnsignedString(streamId) + ", id=" + Long.toUnsignedString(messageId)
                    + ", eventTime=" + eventTime
                    + ", key=" + (key == null ? "none" : new String(key, StandardCharsets.UTF_8))
                    + ", payload=" + payload.length + " bytes]";
        }
    }

    /** A point of reference on one stream, as carried by {@link Ack}. */
    record StreamPoint(long streamId, long pointOfReference) {
    }

    /** Grants {@code credits} more frames and acknowledges progress on streams. */
    record Ack(long credits, List<StreamPoint> points) implements Frame {
        public Ack {
            Frames.checkU32(credits, "credits");
            points = List.copyOf(points);
        }

        @Override
        public FrameType type() {
            return FrameType.ACK;
        }
    }

    /** Asks the connector to reconnect, to {@code address} ("host:port") when it is not empty. */
    record Restart(String address) implements Frame {
        public Restart {
            Objects.requireNonNull(address, "address");
        }

        @Override
        public FrameType type() {
            return FrameType.RESTART;
        }
    }

    /** The stream is finished. */
    record Eos(long streamId) implements Frame {
        @Override
        public FrameType type() {
            return FrameType.EOS;
        }
    }
}
