package io.wallaby.protocol;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The byte layout of every frame: {@link #encode} writes one whole frame (length prefix included),
 * {@link #decodeBody} reads one frame body (type byte and fields, length prefix already removed).
 * The Netty handlers and the blocking {@link FrameReader}/{@link FrameWriter} both go through here,
 * so the layout is written down exactly once.
 */
public final class Frames {

    /** The maximum frame length (type byte and body) a receiver accepts unless configured otherwise. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 1024 * 1024;

    /** The length prefix is a u32 in front of every frame. */
    public static final int LENGTH_PREFIX_BYTES = 4;

    /** A MESSAGE frame without key, payload aside: type byte, stream id, message id, event time, key length. */
    public static final int MESSAGE_HEADER_BYTES = 1 + 8 + 8 + 8 + 2;

    private static final int MAX_SHORT_BYTES = 0xFFFF;

    /** The longest payload a key-less MESSAGE may carry to a receiver accepting frames of {@code maxFrameLength}. */
    public static int maxPayloadLength(int maxFrameLength) {
        return maxFrameLength - MESSAGE_HEADER_BYTES;
    }

    private Frames() {
    }

    /** Writes {@code frame}, length prefix included, at the writer index of {@code out}. */
    public static void encode(Frame frame, ByteBuf out) {
        int lengthIndex = out.writerIndex();
        out.writeInt(0); // patched below, once the body's length is known
        out.writeByte(frame.type().code());
        switch (frame.type()) {
            case HELLO -> {
                Frame.Hello h = (Frame.Hello) frame;
                writeShortString(out, h.version(), "version");
                writeShortString(out, h.cookie(), "cookie");
                writeShortString(out, h.programName(), "program name");
                writeShortString(out, h.instanceName(), "instance name");
            }
            case OK -> out.writeInt((int) ((Frame.Ok) frame).initialCredits());
            case ERROR -> writeShortString(out, ((Frame.Error) frame).reason(), "reason");
            case NOTIFY -> {
                Frame.Notify n = (Frame.Notify) frame;
                out.writeLong(n.streamId());
                writeShortString(out, n.streamName(), "stream name");
                out.writeLong(n.pointOfReference());
            }
            case NOTIFY_ACK -> {
                Frame.NotifyAck a = (Frame.NotifyAck) frame;
                out.writeByte(a.success() ? 1 : 0);
                out.writeLong(a.streamId());
                out.writeLong(a.pointOfReference());
            }
            case MESSAGE -> {
                Frame.Message m = (Frame.Message) frame;
                out.writeLong(m.streamId());
                out.writeLong(m.messageId());
                out.writeLong(m.eventTime());
                writeShortBytes(out, m.key() == null ? new byte[0] : m.key(), "key");
                out.writeBytes(m.payload());
            }
            case ACK -> {
                Frame.Ack a = (Frame.Ack) frame;
                out.writeInt((int) a.credits());
                out.writeInt(a.points().size());
                for (Frame.StreamPoint p : a.points()) {
                    out.writeLong(p.streamId());
                    out.writeLong(p.pointOfReference());
                }
            }
            case RESTART -> {
                byte[] address = ((Frame.Restart) frame).address().getBytes(StandardCharsets.UTF_8);
                out.writeInt(address.length);
                out.writeBytes(address);
            }
            case EOS -> out.writeLong(((Frame.Eos) frame).streamId());
        }
        out.setInt(lengthIndex, out.writerIndex() - lengthIndex - LENGTH_PREFIX_BYTES);
    }

    /**
     * Reads one frame from {@code body}: the type byte and everything after it, exactly one frame's
     * worth (the length prefix has been checked and removed by the framing layer).
     *
     * @throws ProtocolException when the type is unknown or the body is truncated, too long or
     *                           otherwise malformed
     */
    public static Frame decodeBody(ByteBuf body) {
        if (!body.isReadable()) {
            throw new ProtocolException("empty frame: a frame must hold at least its one-byte type");
        }
        int code = body.readUnsignedByte();
        FrameType type = FrameType.fromCode(code);
        if (type == null) {
            throw new ProtocolException("unknown frame type " + code + ": known types are 0 (HELLO) to 8 (EOS)");
        }
        try {
            Frame frame = switch (type) {
                case HELLO -> new Frame.Hello(readShortString(body), readShortString(body),
                        readShortString(body), readShortString(body));
                case OK -> new Frame.Ok(body.readUnsignedInt());
                case ERROR -> new Frame.Error(readShortString(body));
                case NOTIFY -> new Frame.Notify(body.readLong(), readShortString(body), body.readLong());
                case NOTIFY_ACK -> new Frame.NotifyAck(readFlag(body), body.readLong(), body.readLong());
                case MESSAGE -> {
                    long streamId = body.readLong();
                    long messageId = body.readLong();
                    long eventTime = body.readLong();
                    byte[] key = readShortBytes(body);
                    byte[] payload = new byte[body.readableBytes()];
                    body.readBytes(payload);
                    yield new Frame.Message(streamId, messageId, eventTime, key, payload);
                }
                case ACK -> readAck(body);
                case RESTART -> {
                    if (!body.isReadable()) {
                        yield new Frame.Restart("");
                    }
                    int length = body.readInt();
                    if (length < 0 || length > body.readableBytes()) {
                        throw new ProtocolException("malformed RESTART frame: address length "
                                + Integer.toUnsignedString(length) + " exceeds the " + body.readableBytes()
                                + " bytes left in the frame");
                    }
                    yield new Frame.Restart(body.readCharSequence(length, StandardCharsets.UTF_8).toString());
                }
                case EOS -> new Frame.Eos(body.readLong());
            };
            if (body.isReadable()) {
                throw new ProtocolException("malformed " + type + " frame: " + body.readableBytes()
                        + " unexpected bytes after the last field");
            }
            return frame;
        } catch (IndexOutOfBoundsException e) {
            throw new ProtocolException("malformed " + type + " frame: the body ends before its last field");
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("malformed " + type + " frame: " + e.getMessage());
        }
    }

    /**
     * Checks a length prefix before any of the body is read.
     *
     * @throws ProtocolException when the length is zero or above {@code maxFrameLength}
     */
    public static void checkLength(long length, int maxFrameLength) {
        if (length < 1) {
            throw new ProtocolException("empty frame: a frame must hold at least its one-byte type");
        }
        if (length > maxFrameLength) {
            throw new ProtocolException("frame of " + length + " bytes exceeds the maximum frame length of "
                    + maxFrameLength + " bytes; send smaller frames or raise the receiver's maximum");
        }
    }

    static void checkU32(long value, String what) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(what + " must fit in an unsigned 32-bit integer, was " + value);
        }
    }

    private static Frame.Ack readAck(ByteBuf body) {
        long credits = body.readUnsignedInt();
        long count = body.readUnsignedInt();
        if (count * 16 != body.readableBytes()) {
            throw new ProtocolException("malformed ACK frame: it announces " + count + " (stream, point) pairs but "
                    + body.readableBytes() + " bytes follow (16 per pair)");
        }
        List<Frame.StreamPoint> points = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            points.add(new Frame.StreamPoint(body.readLong(), body.readLong()));
        }
        return new Frame.Ack(credits, points);
    }

    private static boolean readFlag(ByteBuf body) {
        int flag = body.readUnsignedByte();
        if (flag > 1) {
            throw new ProtocolException("malformed NOTIFY_ACK frame: success must be 0 or 1, was " + flag);
        }
        return flag == 1;
    }

    private static void writeShortString(ByteBuf out, String text, String what) {
        writeShortBytes(out, text.getBytes(StandardCharsets.UTF_8), what);
    }

    private static void writeShortBytes(ByteBuf out, byte[] bytes, String what) {
        if (bytes.length > MAX_SHORT_BYTES) {
            throw new IllegalArgumentException(what + " is " + bytes.length + " bytes; at most "
                    + MAX_SHORT_BYTES + " fit in a frame");
        }
        out.writeShort(bytes.length);
        out.writeBytes(bytes);
    }

    private static String readShortString(ByteBuf in) {
        int length = in.readUnsignedShort();
        return in.readCharSequence(length, StandardCharsets.UTF_8).toString();
    }

    private static byte[] readShortBytes(ByteBuf in) {
        byte[] bytes = new byte[in.readUnsignedShort()];
        in.readBytes(bytes);
        return bytes;
    }
}
