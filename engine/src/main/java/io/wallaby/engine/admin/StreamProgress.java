package io.wallaby.engine.admin;

import io.wallaby.engine.stream.OutputLog;
import io.wallaby.engine.stream.SourceStream;
import io.wallaby.engine.stream.StreamRegistry;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Which streams are stuck: they hold work and their point of reference has not moved for
 * {@link #STUCK_AFTER}. A source stream holds work while it has accepted messages not yet acknowledged,
 * and progresses when its acknowledged point moves; a sink stream holds work while outputs wait in its log,
 * and progresses when a sink commits (a point that is still "none" is a point like any other: only a change
 * counts). A rate of zero does not tell an idle stream from a stuck one, and a
 * stuck stream (its sink gone or refusing, its checkpoints failing) is what an operator must see first.
 *
 * <p>Like {@link ThroughputRates}, {@link #sample()} reads what the streams keep anyway, from the admin
 * port's own event loop; the message path is not involved. Thread-safe: one thread samples, requests read.
 */
public final class StreamProgress {

    /** How long a stream with work may make no progress before /status and the web view call it stuck. */
    public static final Duration STUCK_AFTER = Duration.ofSeconds(5);

    private final StreamRegistry streams;
    private final Watch sources = new Watch();
    private final Watch sinks = new Watch();

    public StreamProgress(StreamRegistry streams) {
        this.streams = streams;
    }

    /** Looks at every stream's point and work once. */
    public void sample() {
        long now = System.nanoTime();
        Set<String> present = new HashSet<>();
        for (SourceStream stream : streams.sources()) {
            long acknowledged = stream.acknowledged();
            present.add(stream.name());
            sources.observe(stream.name(), acknowledged, stream.lastSeen() != acknowledged, now);
        }
        sources.retain(present);
        present.clear();
        for (OutputLog log : streams.logs()) {
            present.add(log.name());
            sinks.observe(log.name(), log.committed(), log.size() > 0, now);
        }
        sinks.retain(present);
    }

    /** Seconds a source stream has held work without its acknowledged point moving; 0 when it has none. */
    public double sourceSecondsWithoutProgress(String stream) {
        return sources.secondsWithoutProgress(stream, System.nanoTime());
    }

    /** Seconds a sink stream has held outputs without a sink committing any; 0 when it holds none. */
    public double sinkSecondsWithoutProgress(String stream) {
        return sinks.secondsWithoutProgress(stream, System.nanoTime());
    }

    public static boolean stuck(double secondsWithoutProgress) {
        return secondsWithoutProgress >= STUCK_AFTER.toMillis() / 1e3;
    }

    /**
     * The progress of streams of one kind, by name: the time each was last seen idle or moving. Times are
     * given, so that the rule can be tested without waiting.
     */
    static final class Watch {

        /** What a sample saw: the point, whether there was work, and since when it has been stuck on it. */
        private record Seen(long point, boolean hasWork, long progressedAtNanos) {
        }

        private final ConcurrentMap<String, Seen> seen = new ConcurrentHashMap<>();

        /** One sample of a stream: its point now, whether it holds work now. */
        void observe(String name, long point, boolean hasWork, long nowNanos) {
            Seen before = seen.get(name);
            boolean progressed = !hasWork || before == null || before.point() != point || !before.hasWork();
            seen.put(name, new Seen(point, hasWork, progressed ? nowNanos : before.progressedAtNanos()));
        }

        /**
         * Seconds since the stream last progressed or was idle, as of {@code nowNanos}; 0 when the last sample
         * found it idle or it was never sampled. A stream that just got work counts from the sample that saw it
         * first: it has not failed to progress before then.
         */
        double secondsWithoutProgress(String name, long nowNanos) {
            Seen last = seen.get(name);
            if (last == null || !last.hasWork()) {
                return 0;
            }
            return Math.max(0, nowNanos - last.progressedAtNanos()) / 1e9;
        }

        void retain(Set<String> names) {
            seen.keySet().retainAll(names);
        }
    }
}
