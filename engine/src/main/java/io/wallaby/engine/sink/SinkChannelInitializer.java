package io.wallaby.engine.sink;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.wallaby.engine.EngineConfig;
import io.wallaby.engine.ErrorReplyHandler;
import io.wallaby.engine.HandshakeHandler;
import io.wallaby.engine.StreamRegistry;
import io.wallaby.protocol.netty.FrameDecoder;
import io.wallaby.protocol.netty.FrameEncoder;
import io.wallaby.protocol.netty.FrameLengthDecoder;

/** Assembles the pipeline of a connection on the sink port. */
public final class SinkChannelInitializer extends ChannelInitializer<SocketChannel> {

    private final EngineConfig config;
    private final StreamRegistry registry;

    public SinkChannelInitializer(EngineConfig config, StreamRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();

        // Framing: cut the byte stream at the length prefixes, refusing oversized frames unread.
        pipeline.addLast(new FrameLengthDecoder(config.maxFrameLength()));
        // Decoding and encoding: frame bodies to Frame records and back.
        pipeline.addLast(new FrameDecoder());
        pipeline.addLast(FrameEncoder.INSTANCE);

        // Session state: HELLO first (answered with OK(0): sinks grant credits, they do not get them),
        // then NOTIFY per sink stream, delivery as credits allow, commits.
        pipeline.addLast(new HandshakeHandler(config.cookie(), 0));
        pipeline.addLast(new SinkSessionHandler(registry));

        // And last, whatever went wrong above ends this session, and only this one.
        pipeline.addLast(ErrorReplyHandler.INSTANCE);
    }
}
