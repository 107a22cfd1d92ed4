package io.wallaby.engine.connection;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.wallaby.protocol.Frame;

/** Counts the frames a port decodes and the frames it sends. Sits next to the frame codec; one per port. */
@ChannelHandler.Sharable
public final class FrameCountingHandler extends ChannelDuplexHandler {

    private final Counter in;
    private final Counter out;

    public FrameCountingHandler(Counter in, Counter out) {
        this.in = in;
        this.out = out;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof Frame) {
            in.increment();
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof Frame) {
            out.increment();
        }
        super.write(ctx, msg, promise);
    }
}
