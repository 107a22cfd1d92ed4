package io.wallaby.engine.connection;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.wallaby.engine.guard.ConnectionLimitHandler;
import io.wallaby.engine.guard.ConnectionLimits;
import io.wallaby.engine.guard.HandshakeTimeoutHandler;
import io.wallaby.engine.guard.IdleTimeoutHandler;
import io.wallaby.engine.guard.LimitHits;
import io.wallaby.engine.session.HandshakeHandler;
import io.wallaby.protocol.netty.FrameDecoder;
import io.wallaby.protocol.netty.FrameEncoder;
import io.wallaby.protocol.netty.FrameLengthDecoder;

import java.util.concurrent.TimeUnit;

/**
 * Assembles the pipeline of a connector's connection. Both ports share everything up to the handshake
 * (encryption, framing, figures, limits); what follows it, the session of the port, is
 * {@link #addSession}'s. The port's figures (open connections, frames in and out) are read from here.
 */
public abstract class ConnectorChannelInitializer extends ChannelInitializer<SocketChannel> {

    /**
     * What the fronts of both ports share, one per engine.
     *
     * @param ssl            TLS for both ports, or null for plain TCP
     * @param maxFrameLength the longest frame accepted, in bytes
     * @param cookie         the shared secret every HELLO must carry (may be empty)
     * @param limits         what one peer may do before it is refused
     * @param limitHits      where a limit hit is logged and counted
     * @param errorReplies   the last handler of every pipeline: ends a failed session
     * @param connectors     the directory of connected connectors, for /status
     */
    public record Front(SslContext ssl, int maxFrameLength, String cookie, ConnectionLimits limits,
                        LimitHits limitHits, ErrorReplyHandler errorReplies, Connectors connectors) {
    }

    protected final Front front;
    private final String port;
    private final ConnectionLimitHandler connectionLimit;
    private final FrameCountingHandler frameCounting = new FrameCountingHandler();
    private final ConnectorDirectoryHandler directory;
    private final long initialCredits;

    /**
     * @param port           "source" or "sink": names the port in metrics and status
     * @param initialCredits what OK grants after HELLO (a sink gets 0: sinks grant credits, they do not get them)
     */
    protected ConnectorChannelInitializer(Front front, String port, long initialCredits) {
        this.front = front;
        this.port = port;
        this.connectionLimit = new ConnectionLimitHandler(front.limits().maxConnections(), front.limitHits());
        this.directory = new ConnectorDirectoryHandler(port, front.connectors());
        this.initialCredits = initialCredits;
    }

    @Override
    protected final void initChannel(SocketChannel channel) {
        ConnectionLimits limits = front.limits();
        ChannelPipeline pipeline = channel.pipeline();

        // Encryption first, when configured: everything behind it reads and writes plain bytes.
        if (front.ssl() != null) {
            pipeline.addLast(front.ssl().newHandler(channel.alloc()));
        }
        // Framing: cut the byte stream at the length prefixes, refusing oversized frames unread.
        pipeline.addLast(new FrameLengthDecoder(front.maxFrameLength()));
        // Decoding and encoding: frame bodies to Frame records and back.
        pipeline.addLast(new FrameDecoder());
        pipeline.addLast(FrameEncoder.INSTANCE);
        // Figures: frames in and out; then the connection count, which refuses one too many (with ERROR,
        // hence behind the encoder).
        pipeline.addLast(frameCounting);
        pipeline.addLast(connectionLimit);
        // Silence: a connection that sends no frame for --idle-timeout is closed.
        if (!limits.idleTimeout().isZero()) {
            pipeline.addLast(new IdleStateHandler(limits.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
            pipeline.addLast(new IdleTimeoutHandler(limits.idleTimeout(), front.limitHits()));
        }
        // Handshake: HELLO first, within --handshake-timeout; version and cookie checked, OK sent.
        pipeline.addLast(new HandshakeHandler(front.cookie(), initialCredits));
        if (!limits.handshakeTimeout().isZero()) {
            pipeline.addLast(new HandshakeTimeoutHandler(limits.handshakeTimeout(), front.limitHits()));
        }
        pipeline.addLast(directory);
        // Logs: from here on every line names the connector (program/instance@remote).
        pipeline.addLast(ConnectorLogContextHandler.INSTANCE);
        // Session state of this port.
        addSession(pipeline);
        // And last, whatever went wrong above ends this session, and only this one.
        pipeline.addLast(front.errorReplies());
    }

    /** "source" or "sink". */
    public String port() {
        return port;
    }

    /** Connections open on this port now. */
    public int openConnections() {
        return connectionLimit.open();
    }

    /** Frames received on this port since the engine started. */
    public long framesIn() {
        return frameCounting.framesIn();
    }

    /** Frames sent on this port since the engine started. */
    public long framesOut() {
        return frameCounting.framesOut();
    }

    /** Adds the handlers that follow the handshake on this port. */
    protected abstract void addSession(ChannelPipeline pipeline);
}
