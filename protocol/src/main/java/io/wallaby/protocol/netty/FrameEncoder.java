package io.wallaby.protocol.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Frames;

/** Encoding: writes a {@link Frame}, length prefix included. Stateless, so one instance serves all channels. */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToByteEncoder<Frame> {

    public static final FrameEncoder INSTANCE = new FrameEncoder();

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        Frames.encode(frame, out);
    }
}
