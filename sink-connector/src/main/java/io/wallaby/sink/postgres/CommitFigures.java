package io.wallaby.sink.postgres;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The postgres sink's own figures: the size of each committed batch and how long its transaction took,
 * logged as one line (mean and max of each) per {@code --stats-interval}, then started afresh. Used from
 * the sink's one loop thread.
 */
final class CommitFigures {

    private static final Logger log = LoggerFactory.getLogger(CommitFigures.class);

    private final long intervalNanos;
    private long intervalStart = System.nanoTime();
    private long commits;
    private long messages;
    private int maxBatch;
    private long totalLatencyNanos;
    private long maxLatencyNanos;

    /** @param interval how often to log; zero for never */
    CommitFigures(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    void committed(int batchSize, long latencyNanos) {
        commits++;
        messages += batchSize;
        maxBatch = Math.max(maxBatch, batchSize);
        totalLatencyNanos += latencyNanos;
        maxLatencyNanos = Math.max(maxLatencyNanos, latencyNanos);
    }

    /** Logs and restarts the figures when the interval is over; cheap to call often. */
    void logIfDue() {
        long now = System.nanoTime();
        if (intervalNanos == 0 || now - intervalStart < intervalNanos) {
            return;
        }
        long seconds = Math.round((now - intervalStart) / 1e9);
        if (commits == 0) {
            log.info("figures over {}s: no commits", seconds);
        } else {
            log.info("figures over {}s: {} commits of {} messages; batch size mean {} max {}; commit latency "
                    + "mean {} ms max {} ms", seconds, commits, messages, String.format("%.1f", (double) messages / commits),
                    maxBatch, String.format("%.1f", totalLatencyNanos / 1e6 / commits),
                    String.format("%.1f", maxLatencyNanos / 1e6));
        }
        intervalStart = now;
        commits = 0;
        messages = 0;
        maxBatch = 0;
        totalLatencyNanos = 0;
        maxLatencyNanos = 0;
    }
}
