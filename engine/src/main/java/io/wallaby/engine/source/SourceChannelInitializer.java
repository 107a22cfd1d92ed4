package io.wallaby.engine.source;

import io.netty.channel.ChannelPipeline;
import io.wallaby.engine.connection.ConnectorChannelInitializer;
import io.wallaby.engine.stream.EngineCounters;
import io.wallaby.engine.stream.StreamRegistry;

import java.util.function.BooleanSupplier;

/** Assembles the pipeline of a connection on the source port: the shared front, then the source session. */
public final class SourceChannelInitializer extends ConnectorChannelInitializer {

    private final Credits credits;
    private final StreamRegistry registry;
    private final EngineCounters counters;
    private final DeadLetterFile deadLetters;
    private final BooleanSupplier acceptsWork;

    /**
     * @param deadLetters where messages the application cannot handle are written before they are acknowledged
     * @param acceptsWork whether sources get credits: false once the engine drains
     */
    public SourceChannelInitializer(Front front, Credits credits, StreamRegistry registry, EngineCounters counters,
                                    DeadLetterFile deadLetters, BooleanSupplier acceptsWork) {
        super(front, "source", credits.max());
        this.credits = credits;
        this.registry = registry;
        this.counters = counters;
        this.deadLetters = deadLetters;
        this.acceptsWork = acceptsWork;
    }

    @Override
    protected void addSession(ChannelPipeline pipeline) {
        // Credits, streams, duplicates and ACKs.
        pipeline.addLast(new SourceSessionHandler(registry, counters, credits.max(), credits.refillLevel(),
                front.limits().maxStreamsPerConnection(), acceptsWork, front.limitHits()));
        // Application: decode, compute, encode, and append the outputs to the stream's output log.
        pipeline.addLast(new ApplicationHandler(registry.pipeline(), counters, deadLetters));
    }
}
