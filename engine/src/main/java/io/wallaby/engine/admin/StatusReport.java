package io.wallaby.engine.admin;

import io.wallaby.engine.cluster.ClusterMembership;
import io.wallaby.engine.cluster.ClusterView;
import io.wallaby.engine.connection.ConnectorInfo;
import io.wallaby.engine.connection.Connectors;
import io.wallaby.engine.process.DeadLetterFile;
import io.wallaby.engine.process.StreamProcessors;
import io.wallaby.engine.state.CheckpointFigures;
import io.wallaby.engine.state.Checkpointer;
import io.wallaby.engine.stream.EngineCounters;
import io.wallaby.engine.stream.OutputLog;
import io.wallaby.engine.stream.SourceStream;
import io.wallaby.engine.stream.StreamRegistry;
import io.wallaby.protocol.Points;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What {@code GET /status} answers, as records that Jackson writes as JSON. Points and ids are
 * unsigned decimal strings ("none" before the first), since they may not fit a JSON number.
 */
public record StatusReport(String phase, String application, List<ConnectorInfo> connectors,
                           List<SourceStatus> sourceStreams, List<SinkStatus> sinkStreams, Counters counters,
                           DeadLetters deadLetters, int lanes, Checkpoints checkpoints, ClusterView cluster) {

    /** {@code stateEntries}: keys (or key-windows) of state the stream holds; null for a stateless application. */
    public record SourceStatus(String name, String id, long messagesIn, double messagesPerSecond,
                               String lastMessageId, String acknowledged, int inFlight, String connection,
                               Long stateEntries) {
    }

    /** A stateful application's checkpoints; null for a stateless one. Durations and ages in seconds. */
    public record Checkpoints(String stateDir, double intervalSeconds, long completed, long failed,
                              double lastDurationSeconds, double maxDurationSeconds, long lastBytes,
                              double ageSeconds, long bytesOnDisk) {
    }

    public record SinkStatus(String name, String id, int pendingOutputs, String committed, String connection,
                             Long credits) {
    }

    /**
     * The rates are per second over the last {@link ThroughputRates#window()}. {@code redirects}: streams sent
     * to another engine of the cluster; {@code redirectedFramesDropped}: frames a connector sent on a stream
     * before it heard the stream had moved (it sends them again where the stream lives).
     */
    public record Counters(long messagesProcessed, double messagesPerSecond, long duplicatesDropped,
                           long decodeFailures, long applicationFailures, long outputsProduced,
                           double outputsPerSecond, long outputsPending, long redirects,
                           long redirectedFramesDropped) {
    }

    /** Messages the application could not handle, and the file they were written to. */
    public record DeadLetters(long count, String file) {
    }

    public static StatusReport of(String application, Health health, Connectors connectors,
                                  StreamRegistry streams, EngineCounters counters, ThroughputRates rates,
                                  DeadLetterFile deadLetterFile, StreamProcessors processors,
                                  ClusterMembership membership) {
        Map<String, Long> stateSizes = processors.stateSizes();
        List<SourceStatus> sources = streams.sources().stream()
                .sorted(Comparator.comparing(SourceStream::name))
                .map(s -> new SourceStatus(s.name(), Long.toUnsignedString(s.id()), s.messagesIn(),
                        tenths(rates.messagesInPerSecond(s.name())), Points.show(s.lastSeen()), Points.show(s.acknowledged()), s.inFlight(), s.ownerName(),
                        stateSizes.get(s.name())))
                .toList();
        List<SinkStatus> sinks = streams.logs().stream()
                .sorted(Comparator.comparing(OutputLog::name))
                .map(StatusReport::sinkStatus)
                .toList();
        return new StatusReport(health.phase(), application,
                connectors.list(), sources, sinks,
                new Counters(counters.messagesProcessed(), tenths(rates.messagesProcessedPerSecond()),
                        counters.duplicatesDropped(), counters.decodeFailures(), counters.applicationFailures(),
                        counters.outputsProduced(), tenths(rates.outputsProducedPerSecond()),
                        streams.budget().pending(), counters.redirects(), counters.redirectedDrops()),
                new DeadLetters(deadLetterFile.written(), deadLetterFile.path().toString()), processors.laneCount(),
                checkpoints(processors.checkpointer()), membership == null ? null : membership.view());
    }

    private static Checkpoints checkpoints(Checkpointer checkpointer) {
        if (checkpointer == null) {
            return null;
        }
        CheckpointFigures f = checkpointer.figures();
        return new Checkpoints(checkpointer.store().toString(), f.interval().toMillis() / 1e3, f.completed(),
                f.failed(), f.lastDurationSeconds(), f.maxDurationSeconds(), f.lastBytes(), f.ageSeconds(),
                checkpointer.store().sizeOnDisk());
    }

    /** Rates to a tenth: more digits would only show sampling jitter. */
    private static double tenths(double rate) {
        return Math.round(rate * 10) / 10.0;
    }

    private static SinkStatus sinkStatus(OutputLog log) {
        OutputLog.Reader reader = log.reader();
        return new SinkStatus(log.name(), Long.toUnsignedString(log.streamId()), log.size(),
                Points.show(log.committed()), reader == null ? null : reader.toString(),
                reader == null ? null : reader.credits());
    }
}
