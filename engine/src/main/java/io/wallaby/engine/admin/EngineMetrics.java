package io.wallaby.engine.admin;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wallaby.engine.cluster.ClusterMembership;
import io.wallaby.engine.connection.ConnectorChannelInitializer;
import io.wallaby.engine.connection.ErrorReplyHandler;
import io.wallaby.engine.guard.Limit;
import io.wallaby.engine.guard.LimitHits;
import io.wallaby.engine.process.DeadLetterFile;
import io.wallaby.engine.state.CheckpointFigures;
import io.wallaby.engine.stream.EngineCounters;
import io.wallaby.engine.stream.OutputLog;
import io.wallaby.engine.stream.SourceStream;
import io.wallaby.engine.stream.StreamRegistry;
import io.wallaby.protocol.Points;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The engine's figures as Micrometer meters, scraped in Prometheus text format by {@code GET /metrics}.
 * Every meter reads a figure the counting code keeps itself ({@link EngineCounters}, {@link LimitHits},
 * {@link ErrorReplyHandler}, a port's {@link ConnectorChannelInitializer}, the streams): the counting code
 * never calls in here, so it knows nothing of Micrometer or of this package, and tests can read its figures
 * directly. Per-stream meters are registered when a scrape first sees the stream.
 *
 * <p>Beside the engine's own, the figures a Prometheus user expects of any JVM process: memory, GC, threads,
 * class loading, processor, uptime, and open and maximum file descriptors where the JVM can tell them.
 */
public final class EngineMetrics implements AutoCloseable {

    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Listens to the JVM's GC notifications until closed: one per engine, and tests start many engines.
    private final JvmGcMetrics gc = new JvmGcMetrics();
    // Function meters hold what they read weakly: these fields keep it alive for as long as the registry.
    private final LimitHits limitHits;
    private final ErrorReplyHandler errorReplies;
    private final List<ConnectorChannelInitializer> ports = new CopyOnWriteArrayList<>();
    private CheckpointFigures checkpoints;
    private ClusterMembership cluster;

    public EngineMetrics(EngineCounters counters, StreamRegistry streams, DeadLetterFile deadLetters,
                         LimitHits limitHits, ErrorReplyHandler errorReplies) {
        this.limitHits = limitHits;
        this.errorReplies = errorReplies;
        FunctionCounter.builder("wallaby.messages.processed", counters, EngineCounters::messagesProcessed)
                .description("Source messages run through the application").register(meters);
        FunctionCounter.builder("wallaby.duplicates.dropped", counters, EngineCounters::duplicatesDropped)
                .description("Source messages dropped as replays of ids already seen").register(meters);
        FunctionCounter.builder("wallaby.decode.failures", counters, EngineCounters::decodeFailures)
                .description("Payloads the application's decoder rejected").register(meters);
        FunctionCounter.builder("wallaby.application.failures", counters, EngineCounters::applicationFailures)
                .description("Messages on which the application's code failed").register(meters);
        FunctionCounter.builder("wallaby.dead.letters", deadLetters, DeadLetterFile::written)
                .description("Source messages written to the dead-letter file").register(meters);
        FunctionCounter.builder("wallaby.late.inputs", counters, EngineCounters::lateInputs)
                .description("Messages a windowed step found late (sent to the dead letters)").register(meters);
        FunctionCounter.builder("wallaby.outputs.produced", counters, EngineCounters::outputsProduced)
                .description("Outputs (alerts raised) appended for sinks").register(meters);
        FunctionCounter.builder("wallaby.redirects", counters, EngineCounters::redirects)
                .description("Source streams sent to another engine of the cluster").register(meters);
        FunctionCounter.builder("wallaby.redirected.frames.dropped", counters, EngineCounters::redirectedDrops)
                .description("Frames sent on a stream before its connector heard it had moved").register(meters);
        Gauge.builder("wallaby.outputs.pending", streams.budget(), budget -> budget.pending())
                .description("Outputs held for sinks, not yet committed, all streams").register(meters);
        // Every kind shows from the start, at 0, so that alerts on them need no "absent" case.
        for (Limit limit : Limit.values()) {
            FunctionCounter.builder("wallaby.limit.hits", limitHits, hits -> hits.count(limit))
                    .tag("kind", limit.kind()).description("Connections or frames refused by a limit")
                    .register(meters);
        }
        for (ErrorReplyHandler.Kind kind : ErrorReplyHandler.Kind.values()) {
            FunctionCounter.builder("wallaby.protocol.errors", errorReplies, errors -> errors.count(kind))
                    .tag("kind", kind.tag())
                    .description("Sessions ended on a protocol violation or a failed TLS handshake").register(meters);
        }
        new JvmMemoryMetrics().bindTo(meters);
        gc.bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ClassLoaderMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        new FileDescriptorMetrics().bindTo(meters);
    }

    /** The cluster as this engine sees it; nothing for a standalone engine (null). */
    public void cluster(ClusterMembership membership) {
        if (membership == null) {
            return;
        }
        cluster = membership;
        Gauge.builder("wallaby.cluster.partitions.owned", membership, ClusterMembership::ownedCount)
                .description("Partitions of the cluster this engine serves").register(meters);
        Gauge.builder("wallaby.cluster.partitions.restoring", membership, m -> m.view().restoring().size())
                .description("Partitions assigned to this engine whose checkpoints it is restoring").register(meters);
        Gauge.builder("wallaby.cluster.members", membership, m -> m.view().members().size())
                .description("Members of the cluster, as the group last described itself").register(meters);
        Gauge.builder("wallaby.cluster.partitions.unowned", membership, m -> m.view().unowned().size())
                .description("Partitions of the cluster no engine serves").register(meters);
        Gauge.builder("wallaby.cluster.unowned.seconds", membership, m -> m.view().unownedForSeconds())
                .description("How long the oldest unowned partition has had no engine (0: none)").register(meters);
    }

    /** The figures of a stateful application's checkpoints. */
    public void checkpoints(CheckpointFigures figures) {
        checkpoints = figures;
        Gauge.builder("wallaby.checkpoint.interval.seconds", figures, f -> f.interval().toMillis() / 1e3)
                .description("How often each stream is checkpointed").register(meters);
        FunctionCounter.builder("wallaby.checkpoints.completed", figures, CheckpointFigures::completed)
                .description("Checkpoints written, all streams").register(meters);
        FunctionCounter.builder("wallaby.checkpoints.failed", figures, CheckpointFigures::failed)
                .description("Checkpoints that could not be written").register(meters);
        FunctionCounter.builder("wallaby.checkpoint.writes", figures, CheckpointFigures::writes)
                .description("Writes to the checkpoint store, each of the checkpoints of one or more streams")
                .register(meters);
        Gauge.builder("wallaby.checkpoint.duration.seconds", figures, CheckpointFigures::lastDurationSeconds)
                .description("Time the last checkpoint took, from taken to durable").register(meters);
        Gauge.builder("wallaby.checkpoint.duration.max.seconds", figures, CheckpointFigures::maxDurationSeconds)
                .description("Longest checkpoint since start").register(meters);
        Gauge.builder("wallaby.checkpoint.size.bytes", figures, CheckpointFigures::lastBytes)
                .description("Bytes the last checkpoint wrote").register(meters);
        Gauge.builder("wallaby.checkpoint.age.seconds", figures, CheckpointFigures::ageSeconds)
                .description("Seconds since the last checkpoint finished (-1: none yet)").register(meters);
    }

    public MeterRegistry registry() {
        return meters;
    }

    /** The figures of one connector port: open connections, frames in and out, tagged with its name. */
    public void port(ConnectorChannelInitializer port) {
        ports.add(port);
        Gauge.builder("wallaby.connections", port, ConnectorChannelInitializer::openConnections)
                .tag("port", port.port()).description("Open connections").register(meters);
        FunctionCounter.builder("wallaby.frames.in", port, ConnectorChannelInitializer::framesIn)
                .tag("port", port.port()).description("Frames received").register(meters);
        FunctionCounter.builder("wallaby.frames.out", port, ConnectorChannelInitializer::framesOut)
                .tag("port", port.port()).description("Frames sent").register(meters);
    }

    /** The Prometheus text exposition, with a meter for every stream known now. */
    public String scrape(StreamRegistry streams) {
        for (SourceStream stream : streams.sources()) {
            FunctionCounter.builder("wallaby.stream.messages.in", stream, SourceStream::messagesIn)
                    .tag("stream", stream.name()).description("Messages accepted on a source stream").register(meters);
            Gauge.builder("wallaby.stream.acknowledged", stream, s -> asGauge(s.acknowledged()))
                    .tag("stream", stream.name())
                    .description("Last message id acknowledged to the source (-1: none)").register(meters);
        }
        for (OutputLog log : streams.logs()) {
            Gauge.builder("wallaby.sink.outputs.pending", log, OutputLog::size).tag("stream", log.name())
                    .description("Outputs of a sink stream not yet committed").register(meters);
            Gauge.builder("wallaby.sink.committed", log, l -> asGauge(l.committed())).tag("stream", log.name())
                    .description("Last output id a sink committed (-1: none)").register(meters);
        }
        return meters.scrape();
    }

    private static double asGauge(long point) {
        return point == Points.NONE ? -1 : (double) point;
    }

    @Override
    public void close() {
        gc.close();
    }
}
