package io.wallaby.engine.guard;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the open connections of one port and refuses those beyond {@code --max-connections}. One
 * instance per port, shared by its connections. A refused connection still counts until it is
 * closed, which is at once.
 */
@ChannelHandler.Sharable
public final class ConnectionLimitHandler extends ChannelInboundHandlerAdapter {

    private final int maxConnections;
    private final LimitHits hits;
    private final AtomicInteger open = new AtomicInteger();

    public ConnectionLimitHandler(int maxConnections, LimitHits hits) {
        this.maxConnections = maxConnections;
        this.hits = hits;
    }

    /** Connections open on this port now. */
    public int open() {
        return open.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (open.incrementAndGet() > maxConnections) {
            hits.refuse(ctx, Limit.CONNECTIONS, "too many connections: this port takes at most " + maxConnections);
            return; // the session never starts: no handshake timer, no session state
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        open.decrementAndGet();
        super.channelInactive(ctx);
    }
}
