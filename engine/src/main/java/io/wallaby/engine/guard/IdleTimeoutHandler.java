package io.wallaby.engine.guard;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;

import java.time.Duration;

/**
 * Closes a connection that sent nothing for {@code --idle-timeout}. Netty's {@code IdleStateHandler}
 * in front of it measures the silence; this handler only turns its event into a refusal.
 */
public final class IdleTimeoutHandler extends ChannelInboundHandlerAdapter {

    private final Duration timeout;
    private final LimitHits hits;

    public IdleTimeoutHandler(Duration timeout, LimitHits hits) {
        this.timeout = timeout;
        this.hits = hits;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            hits.refuse(ctx, Limit.IDLE_TIMEOUT, "no frame for " + timeout.toMillis() + " ms");
            return;
        }
        super.userEventTriggered(ctx, event);
    }
}
