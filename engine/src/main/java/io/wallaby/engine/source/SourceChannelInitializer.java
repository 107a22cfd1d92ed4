package io.wallaby.engine.source;

import io.netty.channel.ChannelPipeline;
import io.wallaby.engine.EngineConfig;
import io.wallaby.engine.EngineContext;
import io.wallaby.engine.connection.ConnectorChannelInitializer;

/** Assembles the pipeline of a connection on the source port: the shared front, then the source session. */
public final class SourceChannelInitializer extends ConnectorChannelInitializer {

    public SourceChannelInitializer(EngineContext engine) {
        super(engine, "source", engine.config().maxCredits());
    }

    @Override
    protected void addSession(ChannelPipeline pipeline) {
        EngineConfig config = engine.config();
        // Credits, streams, duplicates and ACKs.
        pipeline.addLast(new SourceSessionHandler(engine.registry(), engine.counters(), config.maxCredits(),
                config.refillLevel(), config.limits().maxStreamsPerConnection(), engine.lifecycle(),
                engine.limitHits()));
        // Application: decode, compute, encode, and append the outputs to the stream's output log.
        pipeline.addLast(new ApplicationHandler(engine.registry().pipeline(), engine.counters(),
                engine.deadLetters()));
    }
}
