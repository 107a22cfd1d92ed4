package io.wallaby.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes frames to a blocking stream (a plain {@link java.net.Socket}'s output). Frames are buffered
 * until {@link #flush()}, so a batch of messages costs one system call. Thread-safe: writes are
 * serialised so that frames never interleave.
 */
public final class FrameWriter {

    private final OutputStream out;
    private final ByteBuf buffer = Unpooled.buffer(64 * 1024);

    public FrameWriter(OutputStream out) {
        this.out = out;
    }

    /** Buffers one frame; it goes out at the next {@link #flush()} or when the buffer is full. */
    public synchronized void write(Frame frame) throws IOException {
        Frames.encode(frame, buffer);
        if (buffer.readableBytes() >= 64 * 1024) {
            flush();
        }
    }

    /** Writes one frame and flushes. */
    public synchronized void writeAndFlush(Frame frame) throws IOException {
        write(frame);
        flush();
    }

    public synchronized void flush() throws IOException {
        if (buffer.isReadable()) {
            buffer.readBytes(out, buffer.readableBytes());
            buffer.clear();
        }
        out.flush();
    }
}
