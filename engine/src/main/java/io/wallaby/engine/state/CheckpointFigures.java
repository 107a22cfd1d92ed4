package io.wallaby.engine.state;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What /metrics and /status show of checkpoints: how many, how long the last took, how large it was, and
 * when it finished. Thread-safe.
 */
public final class CheckpointFigures {

    private final Duration interval;
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong lastDurationNanos = new AtomicLong();
    private final AtomicLong maxDurationNanos = new AtomicLong();
    private final AtomicLong lastBytes = new AtomicLong();
    private final AtomicLong lastCompletedMillis = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();

    public CheckpointFigures(Duration interval) {
        this.interval = interval;
    }

    /**
     * A write of {@code checkpoints} checkpoints (of as many streams) is durable; it took {@code durationNanos}
     * from when the oldest of them was taken, and wrote {@code bytes}.
     */
    void completed(int checkpoints, long durationNanos, long bytes) {
        completed.addAndGet(checkpoints);
        writes.incrementAndGet();
        lastDurationNanos.set(durationNanos);
        maxDurationNanos.accumulateAndGet(durationNanos, Math::max);
        lastBytes.set(bytes);
        bytesWritten.addAndGet(bytes);
        lastCompletedMillis.set(System.currentTimeMillis());
    }

    void countFailure() {
        failed.incrementAndGet();
    }

    public Duration interval() {
        return interval;
    }

    public long completed() {
        return completed.get();
    }

    /** Writes to the store that succeeded: each holds the checkpoints of one or more streams. */
    public long writes() {
        return writes.get();
    }

    public long failed() {
        return failed.get();
    }

    /** Seconds the last write of checkpoints took, from taking its oldest on the lane to durable. */
    public double lastDurationSeconds() {
        return lastDurationNanos.get() / 1e9;
    }

    public double maxDurationSeconds() {
        return maxDurationNanos.get() / 1e9;
    }

    /** Bytes the last write of checkpoints wrote (one or several streams' checkpoints). */
    public long lastBytes() {
        return lastBytes.get();
    }

    public long bytesWritten() {
        return bytesWritten.get();
    }

    /** Seconds since the last checkpoint finished; -1 before the first. */
    public double ageSeconds() {
        long last = lastCompletedMillis.get();
        return last == 0 ? -1 : (System.currentTimeMillis() - last) / 1e3;
    }
}
