package io.wallaby.engine.connection;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.wallaby.engine.admin.EngineMetrics;
import io.wallaby.engine.session.Sessions;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.ProtocolException;
import io.wallaby.protocol.netty.ProtocolErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;

/**
 * Ends sessions that fail, last in every pipeline. A protocol violation (from framing, decoding or a
 * session handler) is answered with ERROR(reason) and the connection is closed; an I/O error just
 * closes it (the peer is gone). Only this connection is affected. Each ERROR is counted by kind:
 * {@code framing} (bytes that are no valid frame), {@code session} (a valid frame at the wrong time),
 * {@code tls} (a peer that does not speak TLS on a TLS port, or fails its handshake: closed without
 * ERROR, which it could not read) or {@code internal} (a bug in the engine). One instance per engine.
 */
@ChannelHandler.Sharable
public final class ErrorReplyHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ErrorReplyHandler.class);

    private final EngineMetrics metrics;

    public ErrorReplyHandler(EngineMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!Sessions.markEnding(ctx.channel())) {
            return;
        }
        ProtocolException violation = ProtocolErrors.protocolViolation(cause);
        if (violation != null) {
            metrics.protocolError(cause instanceof DecoderException ? "framing" : "session");
            log.info("Closing {}: {}", ctx.channel().remoteAddress(), violation.getMessage());
            ctx.writeAndFlush(new Frame.Error(violation.getMessage())).addListener(ChannelFutureListener.CLOSE);
        } else if (cause instanceof DecoderException && cause.getCause() instanceof SSLException tls) {
            metrics.protocolError("tls");
            log.info("Closing {}: TLS failed: {}", ctx.channel().remoteAddress(), tls.getMessage());
            ctx.close();
        } else if (cause instanceof IOException) {
            log.debug("Connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        } else {
            metrics.protocolError("internal");
            log.error("Unexpected failure on {}; closing it", ctx.channel().remoteAddress(), cause);
            ctx.writeAndFlush(new Frame.Error("internal engine error: " + cause))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }
}
