package io.wallaby.engine.sink;

import io.netty.channel.ChannelPipeline;
import io.wallaby.engine.EngineContext;
import io.wallaby.engine.connection.ConnectorChannelInitializer;

/**
 * Assembles the pipeline of a connection on the sink port: the shared front (OK(0) after HELLO: sinks
 * grant credits, they do not get them), then the sink session.
 */
public final class SinkChannelInitializer extends ConnectorChannelInitializer {

    public SinkChannelInitializer(EngineContext engine) {
        super(engine, "sink", 0);
    }

    @Override
    protected void addSession(ChannelPipeline pipeline) {
        // NOTIFY per sink stream, delivery as credits allow, commits.
        pipeline.addLast(new SinkSessionHandler(engine.registry()));
    }
}
