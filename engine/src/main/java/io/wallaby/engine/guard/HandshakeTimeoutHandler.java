package io.wallaby.engine.guard;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.wallaby.engine.session.HandshakeCompleted;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that has not said HELLO within {@code --handshake-timeout}, so that a peer that
 * opens a socket and sends nothing (or half a frame) does not hold it forever. Sits behind the
 * {@code HandshakeHandler}, sees its {@link HandshakeCompleted} and leaves the pipeline.
 */
public final class HandshakeTimeoutHandler extends ChannelInboundHandlerAdapter {

    private final Duration timeout;
    private final LimitHits hits;
    private ScheduledFuture<?> deadline;

    public HandshakeTimeoutHandler(Duration timeout, LimitHits hits) {
        this.timeout = timeout;
        this.hits = hits;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        deadline = ctx.executor().schedule(() -> hits.refuse(ctx, Limit.HANDSHAKE_TIMEOUT,
                "no HELLO within " + timeout.toMillis() + " ms"), timeout.toMillis(), TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof HandshakeCompleted) {
            cancel();
            ctx.pipeline().remove(this);
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    private void cancel() {
        if (deadline != null) {
            deadline.cancel(false);
        }
    }
}
