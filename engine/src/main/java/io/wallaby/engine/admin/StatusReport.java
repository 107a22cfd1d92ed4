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

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What {@code GET /status} answers, as records that Jackson writes as JSON. Points and ids are
 * unsigned decimal strings ("none" before the first), since they may not fit a JSON number. Fields are
 * only ever added, never renamed or given another meaning: {@code launch.sh status}, the benchmark and
 * users' scripts read them.
 *
 * <p>{@code time} is when the report was made, by the engine's clock: the web view divides the growth of
 * the counters between two reports by it. {@code stuckAfterSeconds} is how long a stream with work may make
 * no progress before it is called stuck ({@link StreamProgress}). {@code sourceAdmins}: the figures read
 * from the sources' own admin ports ({@code --source-admin}; empty without).
 */
public record StatusReport(String phase, String application, List<ConnectorInfo> connectors,
                           List<SourceStatus> sourceStreams, List<SinkStatus> sinkStreams, Counters counters,
                           DeadLetters deadLetters, int lanes, Checkpoints checkpoints, ClusterView cluster,
                           Instant time, double stuckAfterSeconds,
                           List<SourceAdmins.SourceAdminStatus> sourceAdmins) {

    /**
     * {@code stateEntries}: keys (or key-windows) of state the stream holds; null for a stateless application.
     * {@code sinkStream}: the sink stream its outputs go to. {@code acknowledgementLag}: messages accepted and not
     * yet acknowledged to the source, counted as {@code lastMessageId - acknowledged} (message ids, which is a
     * count of messages for sources that number them one by one: the generator and both postgres captures;
     * every message accepted so far while none is acknowledged). {@code deadLetters}: this stream's. A stream is
     * {@code stuck} after {@code stuckAfterSeconds} of {@code secondsWithoutProgress}: unacknowledged messages and
     * no move of the acknowledged point.
     */
    public record SourceStatus(String name, String id, long messagesIn, double messagesPerSecond,
                               String lastMessageId, String acknowledged, int inFlight, String connection,
                               Long stateEntries, String sinkStream, long acknowledgementLag, long deadLetters,
                               double secondsWithoutProgress, boolean stuck) {
    }

    /** A stateful application's checkpoints; null for a stateless one. Durations and ages in seconds. */
    public record Checkpoints(String stateDir, double intervalSeconds, long completed, long failed,
                              double lastDurationSeconds, double maxDurationSeconds, long lastBytes,
                              double ageSeconds, long bytesOnDisk) {
    }

    /**
     * {@code outputsAppended} and {@code outputsCommitted}: outputs the application put in the stream's log and
     * those a sink committed, since the engine started; {@code committedPerSecond} over the rate window. A stream
     * is {@code stuck} when outputs wait and no sink has committed any for {@code stuckAfterSeconds}.
     */
    public record SinkStatus(String name, String id, int pendingOutputs, String committed, String connection,
                             Long credits, long outputsAppended, long outputsCommitted, double committedPerSecond,
                             double secondsWithoutProgress, boolean stuck) {
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

    /** What a report is made of: the engine's parts that keep the figures. None of them knows this package. */
    public record Inputs(String application, Health health, Connectors connectors, StreamRegistry streams,
                         EngineCounters counters, ThroughputRates rates, StreamProgress progress,
                         DeadLetterFile deadLetters, StreamProcessors processors, ClusterMembership membership,
                         SourceAdmins sourceAdmins) {
    }

    public static StatusReport of(Inputs in) {
        Map<String, Long> stateSizes = in.processors().stateSizes();
        List<SourceStatus> sources = in.streams().sources().stream()
                .sorted(Comparator.comparing(SourceStream::name))
                .map(s -> sourceStatus(s, in, stateSizes.get(s.name())))
                .toList();
        List<SinkStatus> sinks = in.streams().logs().stream()
                .sorted(Comparator.comparing(OutputLog::name))
                .map(log -> sinkStatus(log, in))
                .toList();
        EngineCounters counters = in.counters();
        ThroughputRates rates = in.rates();
        return new StatusReport(in.health().phase(), in.application(),
                in.connectors().list(), sources, sinks,
                new Counters(counters.messagesProcessed(), tenths(rates.messagesProcessedPerSecond()),
                        counters.duplicatesDropped(), counters.decodeFailures(), counters.applicationFailures(),
                        counters.outputsProduced(), tenths(rates.outputsProducedPerSecond()),
                        in.streams().budget().pending(), counters.redirects(), counters.redirectedDrops()),
                new DeadLetters(in.deadLetters().written(), in.deadLetters().path().toString()),
                in.processors().laneCount(), checkpoints(in.processors().checkpointer()),
                in.membership() == null ? null : in.membership().view(), Instant.now(),
                StreamProgress.STUCK_AFTER.toMillis() / 1e3, in.sourceAdmins().status());
    }

    private static SourceStatus sourceStatus(SourceStream s, Inputs in, Long stateEntries) {
        long lastSeen = s.lastSeen();
        long acknowledged = s.acknowledged();
        long messagesIn = s.messagesIn();
        double stalled = tenths(in.progress().sourceSecondsWithoutProgress(s.name()));
        return new SourceStatus(s.name(), Long.toUnsignedString(s.id()), messagesIn,
                tenths(in.rates().messagesInPerSecond(s.name())), Points.show(lastSeen), Points.show(acknowledged),
                s.inFlight(), s.ownerName(), stateEntries, s.outputs().name(),
                acknowledgementLag(lastSeen, acknowledged, messagesIn), in.deadLetters().written(s.name()), stalled,
                StreamProgress.stuck(stalled));
    }

    /** Ids between the newest message accepted and the newest acknowledged; see {@link SourceStatus}. */
    static long acknowledgementLag(long lastSeen, long acknowledged, long messagesIn) {
        if (lastSeen == Points.NONE) {
            return 0;
        }
        if (acknowledged == Points.NONE) {
            return messagesIn;
        }
        return Points.isAfter(lastSeen, acknowledged) ? lastSeen - acknowledged : 0;
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

    private static SinkStatus sinkStatus(OutputLog log, Inputs in) {
        OutputLog.Reader reader = log.reader();
        double stalled = tenths(in.progress().sinkSecondsWithoutProgress(log.name()));
        return new SinkStatus(log.name(), Long.toUnsignedString(log.streamId()), log.size(),
                Points.show(log.committed()), reader == null ? null : reader.toString(),
                reader == null ? null : reader.credits(), log.outputsAppended(), log.outputsCommitted(),
                tenths(in.rates().outputsCommittedPerSecond(log.name())), stalled, StreamProgress.stuck(stalled));
    }
}
