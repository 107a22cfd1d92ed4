package io.wallaby.engine.source;

import io.netty.channel.ChannelPipeline;
import io.wallaby.engine.connection.ConnectorChannelInitializer;
import io.wallaby.engine.process.StreamProcessors;
import io.wallaby.engine.stream.EngineCounters;
import io.wallaby.engine.stream.Placement;
import io.wallaby.engine.stream.StreamRegistry;

import java.util.function.BooleanSupplier;

/** Assembles the pipeline of a connection on the source port: the shared front, then the source session. */
public final class SourceChannelInitializer extends ConnectorChannelInitializer {

    private final Credits credits;
    private final StreamRegistry registry;
    private final EngineCounters counters;
    private final StreamProcessors processors;
    private final BooleanSupplier acceptsWork;
    private final Placement placement;

    /**
     * @param processors  where accepted messages go to be processed, on their stream's lane
     * @param acceptsWork whether sources get credits: false once the engine drains
     * @param placement   which streams this engine serves; the others are redirected
     */
    public SourceChannelInitializer(Front front, Credits credits, StreamRegistry registry, EngineCounters counters,
                                    StreamProcessors processors, BooleanSupplier acceptsWork, Placement placement) {
        super(front, "source", credits.max());
        this.credits = credits;
        this.registry = registry;
        this.counters = counters;
        this.processors = processors;
        this.acceptsWork = acceptsWork;
        this.placement = placement;
    }

    @Override
    protected void addSession(ChannelPipeline pipeline) {
        // Credits, streams (and redirects to the engine serving them), duplicates and ACKs.
        SourceSessionHandler session = new SourceSessionHandler(registry, counters, credits.max(),
                credits.refillLevel(), front.limits().maxStreamsPerConnection(), acceptsWork, front.limitHits(),
                placement);
        pipeline.addLast(session);
        // Application: hands each stream's messages to its lane, which runs the pipeline and appends the
        // outputs, then tells the session, which tops up credits.
        pipeline.addLast(new ApplicationHandler(processors, session::processed));
    }
}
