package io.wallaby.protocol;

import io.netty.buffer.Unpooled;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads frames from a blocking stream (a plain {@link java.net.Socket}'s input). Not thread-safe:
 * one thread reads.
 */
public final class FrameReader {

    private final DataInputStream in;
    private final int maxFrameLength;

    public FrameReader(InputStream in, int maxFrameLength) {
        this.in = new DataInputStream(in);
        this.maxFrameLength = maxFrameLength;
    }

    public FrameReader(InputStream in) {
        this(in, Frames.DEFAULT_MAX_FRAME_LENGTH);
    }

    /**
     * Blocks until a whole frame has arrived.
     *
     * @throws EOFException      when the peer closed the connection (cleanly between frames or mid-frame)
     * @throws ProtocolException when the frame is oversized or malformed; the length is checked before
     *                           the body is read
     */
    public Frame read() throws IOException {
        long length = Integer.toUnsignedLong(in.readInt());
        Frames.checkLength(length, maxFrameLength);
        byte[] body = new byte[(int) length];
        in.readFully(body);
        return Frames.decodeBody(Unpooled.wrappedBuffer(body));
    }
}
