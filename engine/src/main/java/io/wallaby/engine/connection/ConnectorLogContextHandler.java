package io.wallaby.engine.connection;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.wallaby.engine.session.HandshakeCompleted;
import org.slf4j.MDC;

/**
 * Puts the connector's identity, {@code program/instance@remote}, in the SLF4J MDC under
 * {@code connector} while the handlers behind it handle an event, so that every line they log says
 * whose session it is (the text format shows it in brackets, the JSON format as a field). An event
 * loop serves many connections, hence set and cleared around each event, not once per thread.
 */
@ChannelHandler.Sharable
public final class ConnectorLogContextHandler extends ChannelInboundHandlerAdapter {

    public static final String MDC_KEY = "connector";
    public static final ConnectorLogContextHandler INSTANCE = new ConnectorLogContextHandler();

    private static final AttributeKey<String> IDENTITY = AttributeKey.valueOf("wallaby.connector.identity");

    private ConnectorLogContextHandler() {
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof HandshakeCompleted handshake) {
            ctx.channel().attr(IDENTITY).set(handshake.connector() + "@" + ctx.channel().remoteAddress());
        }
        try (MDC.MDCCloseable ignored = identify(ctx)) {
            super.userEventTriggered(ctx, event);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        try (MDC.MDCCloseable ignored = identify(ctx)) {
            super.channelRead(ctx, msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        try (MDC.MDCCloseable ignored = identify(ctx)) {
            super.channelInactive(ctx);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        try (MDC.MDCCloseable ignored = identify(ctx)) {
            super.exceptionCaught(ctx, cause);
        }
    }

    private static MDC.MDCCloseable identify(ChannelHandlerContext ctx) {
        String identity = ctx.channel().attr(IDENTITY).get();
        return MDC.putCloseable(MDC_KEY, identity == null ? "" : identity);
    }
}
