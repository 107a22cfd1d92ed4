package io.wallaby.engine.source;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.wallaby.engine.EngineConfig;
import io.wallaby.engine.EngineCounters;
import io.wallaby.engine.ErrorReplyHandler;
import io.wallaby.engine.HandshakeHandler;
import io.wallaby.engine.StreamRegistry;
import io.wallaby.protocol.netty.FrameDecoder;
import io.wallaby.protocol.netty.FrameEncoder;
import io.wallaby.protocol.netty.FrameLengthDecoder;

/** Assembles the pipeline of a connection on the source port. */
public final class SourceChannelInitializer extends ChannelInitializer<SocketChannel> {

    private final EngineConfig config;
    private final StreamRegistry registry;
    private final EngineCounters counters;

    public SourceChannelInitializer(EngineConfig config, StreamRegistry registry, EngineCounters counters) {
        this.config = config;
        this.registry = registry;
        this.counters = counters;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();

        // Framing: cut the byte stream at the length prefixes, refusing oversized frames unread.
        pipeline.addLast(new FrameLengthDecoder(config.maxFrameLength()));
        // Decoding and encoding: frame bodies to Frame records and back.
        pipeline.addLast(new FrameDecoder());
        pipeline.addLast(FrameEncoder.INSTANCE);

        // Session state: HELLO first, then credits, streams, duplicates and ACKs.
        pipeline.addLast(new HandshakeHandler(config.cookie(), config.maxCredits()));
        pipeline.addLast(new SourceSessionHandler(registry, counters, config.maxCredits(), config.refillLevel()));
        // Application: decode, compute, encode, and append the outputs to the stream's output log.
        pipeline.addLast(new ApplicationHandler(registry.pipeline(), counters));

        // And last, whatever went wrong above ends this session, and only this one.
        pipeline.addLast(ErrorReplyHandler.INSTANCE);
    }
}
