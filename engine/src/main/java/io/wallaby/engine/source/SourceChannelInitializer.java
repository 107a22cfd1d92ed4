package io.wallaby.engine.source;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.wallaby.engine.ConnectorLogContextHandler;
import io.wallaby.engine.EngineConfig;
import io.wallaby.engine.EngineContext;
import io.wallaby.engine.HandshakeHandler;
import io.wallaby.engine.admin.ConnectorDirectoryHandler;
import io.wallaby.engine.admin.FrameCountingHandler;
import io.wallaby.engine.guard.ConnectionLimitHandler;
import io.wallaby.engine.guard.ConnectionLimits;
import io.wallaby.engine.guard.HandshakeTimeoutHandler;
import io.wallaby.engine.guard.IdleTimeoutHandler;
import io.wallaby.protocol.netty.FrameDecoder;
import io.wallaby.protocol.netty.FrameEncoder;
import io.wallaby.protocol.netty.FrameLengthDecoder;

import java.util.concurrent.TimeUnit;

/** Assembles the pipeline of a connection on the source port. */
public final class SourceChannelInitializer extends ChannelInitializer<SocketChannel> {

    private static final String PORT = "source";

    private final EngineContext engine;
    private final ConnectionLimitHandler connectionLimit;
    private final FrameCountingHandler frameCounting;
    private final ConnectorDirectoryHandler directory;

    public SourceChannelInitializer(EngineContext engine) {
        this.engine = engine;
        this.connectionLimit = new ConnectionLimitHandler(engine.config().limits().maxConnections(), engine.limitHits());
        engine.metrics().connections(PORT, connectionLimit);
        this.frameCounting = engine.metrics().frameCounting(PORT);
        this.directory = new ConnectorDirectoryHandler(PORT, engine.connectors());
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        EngineConfig config = engine.config();
        ConnectionLimits limits = config.limits();
        ChannelPipeline pipeline = channel.pipeline();

        // Encryption first, when configured: everything behind it reads and writes plain bytes.
        if (engine.ssl() != null) {
            pipeline.addLast(engine.ssl().newHandler(channel.alloc()));
        }
        // Framing: cut the byte stream at the length prefixes, refusing oversized frames unread.
        pipeline.addLast(new FrameLengthDecoder(config.maxFrameLength()));
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
            pipeline.addLast(new IdleTimeoutHandler(limits.idleTimeout(), engine.limitHits()));
        }

        // Session state: HELLO first (within --handshake-timeout), then credits, streams, duplicates and ACKs.
        pipeline.addLast(new HandshakeHandler(config.cookie(), config.maxCredits()));
        if (!limits.handshakeTimeout().isZero()) {
            pipeline.addLast(new HandshakeTimeoutHandler(limits.handshakeTimeout(), engine.limitHits()));
        }
        pipeline.addLast(directory);
        // Logs: from here on every line names the connector (program/instance@remote).
        pipeline.addLast(ConnectorLogContextHandler.INSTANCE);
        pipeline.addLast(new SourceSessionHandler(engine.registry(), engine.counters(), config.maxCredits(),
                config.refillLevel(), limits.maxStreamsPerConnection(), engine.lifecycle(), engine.limitHits()));
        // Application: decode, compute, encode, and append the outputs to the stream's output log.
        pipeline.addLast(new ApplicationHandler(engine.registry().pipeline(), engine.counters(),
                engine.deadLetters()));

        // And last, whatever went wrong above ends this session, and only this one.
        pipeline.addLast(engine.errorReplies());
    }
}
