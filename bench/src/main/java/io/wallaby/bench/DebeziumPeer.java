package io.wallaby.bench;

import io.wallaby.launcher.PieceProcess;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The benchmark's side of {@link DebeziumReader}: starts it as its own process on the benchmark's jar, waits for
 * its verdict and returns its rate.
 */
final class DebeziumPeer {

    /**
     * The fastest Debezium configuration found (besides what {@link DebeziumReader.Profile#fast} changes in code:
     * the Connect format, so no converter runs, and a ChangeConsumer taking whole batches). A 5 ms poll interval
     * instead of 500 ms: the queue poll sleeps that long whenever it finds the queue empty. Larger batches and queue
     * than the defaults (2048, 8192): on a shared 2-core machine they were as fast or faster than the default
     * sizes with everything else the same (1.3-2.2x the defaults against 1.5x), within the noise. Not changed:
     * decimal.handling.mode stays precise, so the amounts stay exact as in our envelopes.
     */
    static final Map<String, String> FAST_SETTINGS = new TreeMap<>(Map.of(
            "max.batch.size", "8192",
            "max.queue.size", "32768",
            "poll.interval.ms", "5"));

    private DebeziumPeer() {
    }

    static String version() {
        return io.debezium.connector.postgresql.Module.version();
    }

    /** What the fast profile sets, for the report. */
    static String fastDescription() {
        return "the Connect format (ChangeEvent<SourceRecord, SourceRecord>: no converter) into a ChangeConsumer that counts whole "
                + "batches, " + FAST_SETTINGS.toString().replaceAll("[{}]", "");
    }

    /** Drains {@code slot} with Debezium in {@code profile}; returns events/s from polling start to the last event. */
    static double drain(BenchDatabase db, DebeziumReader.Profile profile, String slot, String publication,
                        long expected, Path logDir) throws Exception {
        Path jar = Path.of(DebeziumPeer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (PieceProcess reader = PieceProcess.start("debezium-" + profile, jar, List.of("debezium-reader",
                "--port", Integer.toString(db.port()), "--slot", slot, "--publication", publication,
                "--profile", profile.name(), "--expect", Long.toString(expected)), logDir, false)) {
            String verdict = reader.awaitLine(line -> line.startsWith("drained ") || line.startsWith("FAILED "),
                    Duration.ofMinutes(15));
            if (verdict.startsWith("FAILED ")) {
                throw new IllegalStateException("Debezium (" + profile + ") " + verdict + "; see " + reader.log());
            }
            String[] words = verdict.split(" "); // drained N events in T ns
            return Long.parseLong(words[1]) / (Long.parseLong(words[4]) / 1e9);
        }
    }
}
