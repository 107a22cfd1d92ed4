package io.wallaby.engine.connection;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.wallaby.engine.session.Sessions;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.ProtocolException;
import io.wallaby.protocol.netty.ProtocolErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Ends sessions that fail, last in every pipeline. A protocol violation (from framing, decoding or a
 * session handler) is answered with ERROR(reason) and the connection is closed; an I/O error just
 * closes it (the peer is gone). Only this connection is affected. Each such ending is counted by
 * {@link Kind}, and the metrics read the counts. One instance per engine.
 */
@ChannelHandler.Sharable
public final class ErrorReplyHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ErrorReplyHandler.class);

    /** Why a session ended on an error. */
    public enum Kind {
        /** Bytes that are no valid frame. */
        FRAMING,
        /** A valid frame at the wrong time. */
        SESSION,
        /** A peer that does not speak TLS on a TLS port, or fails its handshake: closed without an ERROR it could not read. */
        TLS,
        /** A bug in the engine. */
        INTERNAL;

        /** The metric tag: {@code framing}. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final AtomicLongArray errors = new AtomicLongArray(Kind.values().length);

    /** Sessions ended on an error of this kind since the engine started. */
    public long count(Kind kind) {
        return errors.get(kind.ordinal());
    }

    private void counted(Kind kind) {
        errors.incrementAndGet(kind.ordinal());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!Sessions.markEnding(ctx.channel())) {
            return;
        }
        ProtocolException violation = ProtocolErrors.protocolViolation(cause);
        if (violation != null) {
            counted(cause instanceof DecoderException ? Kind.FRAMING : Kind.SESSION);
            log.info("Closing {}: {}", ctx.channel().remoteAddress(), violation.getMessage());
            ctx.writeAndFlush(new Frame.Error(violation.getMessage())).addListener(ChannelFutureListener.CLOSE);
        } else if (cause instanceof DecoderException && cause.getCause() instanceof SSLException tls) {
            counted(Kind.TLS);
            log.info("Closing {}: TLS failed: {}", ctx.channel().remoteAddress(), tls.getMessage());
            ctx.close();
        } else if (cause instanceof IOException) {
            log.debug("Connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        } else {
            counted(Kind.INTERNAL);
            log.error("Unexpected failure on {}; closing it", ctx.channel().remoteAddress(), cause);
            ctx.writeAndFlush(new Frame.Error("internal engine error: " + cause))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }
}
