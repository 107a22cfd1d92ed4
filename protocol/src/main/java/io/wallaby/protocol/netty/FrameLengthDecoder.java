package io.wallaby.protocol.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.wallaby.protocol.Frames;
import io.wallaby.protocol.ProtocolException;

import java.util.List;

/**
 * Framing: splits the byte stream into frame bodies at the u32 length prefixes. A length above the
 * maximum fails at once, before any of the body is read or buffered; after a failure every further
 * byte is discarded, since the stream can no longer be trusted and the session is ending.
 */
public final class FrameLengthDecoder extends ByteToMessageDecoder {

    private final int maxFrameLength;
    private boolean failed;

    public FrameLengthDecoder(int maxFrameLength) {
        this.maxFrameLength = maxFrameLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < Frames.LENGTH_PREFIX_BYTES) {
            return;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        try {
            Frames.checkLength(length, maxFrameLength);
        } catch (ProtocolException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
        if (in.readableBytes() < Frames.LENGTH_PREFIX_BYTES + length) {
            return;
        }
        in.skipBytes(Frames.LENGTH_PREFIX_BYTES);
        out.add(in.readRetainedSlice((int) length));
    }
}
