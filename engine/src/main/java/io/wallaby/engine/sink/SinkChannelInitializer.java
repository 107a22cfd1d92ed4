package io.wallaby.engine.sink;

import io.netty.channel.ChannelPipeline;
import io.wallaby.engine.connection.ConnectorChannelInitializer;
import io.wallaby.engine.stream.StreamRegistry;

/**
 * Assembles the pipeline of a connection on the sink port: the shared front (OK(0) after HELLO: sinks
 * grant credits, they do not get them), then the sink session.
 */
public final class SinkChannelInitializer extends ConnectorChannelInitializer {

    private final StreamRegistry registry;

    public SinkChannelInitializer(Front front, StreamRegistry registry) {
        super(front, "sink", 0);
        this.registry = registry;
    }

    @Override
    protected void addSession(ChannelPipeline pipeline) {
        // NOTIFY per sink stream, delivery as credits allow, commits.
        pipeline.addLast(new SinkSessionHandler(registry));
    }
}
