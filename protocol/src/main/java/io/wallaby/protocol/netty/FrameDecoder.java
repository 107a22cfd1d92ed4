package io.wallaby.protocol.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Frames;

import java.util.List;

/** Decoding: turns one frame body, as cut by {@link FrameLengthDecoder}, into a {@link Frame}. */
public final class FrameDecoder extends MessageToMessageDecoder<ByteBuf> {

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf body, List<Object> out) {
        out.add(Frames.decodeBody(body));
    }
}
