package io.wallaby.protocol.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Frames;

/**
 * Encoding: writes a {@link Frame}, or every frame of a {@link FrameBatch} into one buffer, length prefixes
 * included. Stateless, so one instance serves all channels.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToByteEncoder<Object> {

    public static final FrameEncoder INSTANCE = new FrameEncoder();

    /** Room for a MESSAGE's fixed part and length prefix, on top of its key and payload. */
    private static final int MESSAGE_OVERHEAD = Frames.LENGTH_PREFIX_BYTES + Frames.MESSAGE_HEADER_BYTES;

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof Frame || msg instanceof FrameBatch;
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Object msg, boolean preferDirect) {
        return ctx.alloc().ioBuffer(estimatedSize(msg));
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, ByteBuf out) {
        if (msg instanceof FrameBatch batch) {
            for (Frame frame : batch.frames()) {
                Frames.encode(frame, out);
            }
        } else {
            Frames.encode((Frame) msg, out);
        }
    }

    /** A close guess of the encoded size, so that a batch is written without the buffer growing. */
    private static int estimatedSize(Object msg) {
        if (msg instanceof FrameBatch batch) {
            long size = 0;
            for (Frame frame : batch.frames()) {
                size += estimatedSize(frame);
            }
            return (int) Math.min(size, Integer.MAX_VALUE);
        }
        if (msg instanceof Frame.Message m) {
            return MESSAGE_OVERHEAD + m.payload().length + (m.key() == null ? 0 : m.key().length);
        }
        return 256;
    }
}
