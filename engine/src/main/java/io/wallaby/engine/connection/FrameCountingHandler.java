package io.wallaby.engine.connection;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.netty.FrameBatch;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the frames a port decodes and the frames it sends, for the metrics to read. Sits next to the
 * frame codec; one per port, shared by its connections' event loops (hence adders, not one contended atomic).
 */
@ChannelHandler.Sharable
public final class FrameCountingHandler extends ChannelDuplexHandler {

    private final LongAdder in = new LongAdder();
    private final LongAdder out = new LongAdder();

    /** Frames received on this port since the engine started. */
    public long framesIn() {
        return in.sum();
    }

    /** Frames sent on this port since the engine started. */
    public long framesOut() {
        return out.sum();
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
        } else if (msg instanceof FrameBatch batch) {
            out.add(batch.size());
        }
        super.write(ctx, msg, promise);
    }
}
