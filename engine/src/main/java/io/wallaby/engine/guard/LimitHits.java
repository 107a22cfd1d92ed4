package io.wallaby.engine.guard;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.wallaby.engine.session.Sessions;
import io.wallaby.protocol.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The one place a limit hit is handled: one WARN line naming the peer, the limit and the option
 * that raises it; one count per limit, which the metrics read; and, when the session must end, ERROR
 * then close. Thread-safe: one per engine, shared by every connection.
 */
public final class LimitHits {

    private static final Logger log = LoggerFactory.getLogger(LimitHits.class);

    private final AtomicLongArray hits = new AtomicLongArray(Limit.values().length);

    /** Hits of {@code limit} since the engine started. */
    public long count(Limit limit) {
        return hits.get(limit.ordinal());
    }

    /** Logs and counts a hit that the caller answers itself. */
    public void hit(Channel channel, Limit limit, String reason) {
        hits.incrementAndGet(limit.ordinal());
        log.warn("Limit {} hit by {}: {} (raise it with {})", limit.kind(), channel.remoteAddress(), reason,
                limit.option());
    }

    /** Logs and counts the hit, answers ERROR(reason) and closes the connection. */
    public void refuse(ChannelHandlerContext ctx, Limit limit, String reason) {
        if (!Sessions.markEnding(ctx.channel())) {
            return;
        }
        hit(ctx.channel(), limit, reason);
        ctx.writeAndFlush(new Frame.Error(reason + " (engine option " + limit.option() + ")"))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
