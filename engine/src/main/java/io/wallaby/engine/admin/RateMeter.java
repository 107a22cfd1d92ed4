package io.wallaby.engine.admin;

/**
 * The per-second rate of a count that only grows, over a sliding window: a ring of (time, count)
 * samples, taken by whoever calls {@link #sample}. The counted code never touches it, so counting
 * stays one atomic add; the rate is as fresh as the last sample. Thread-safe: one thread samples,
 * admin requests read.
 */
public final class RateMeter {

    private final long[] sampledAtNanos;
    private final long[] counts;
    private int newest = -1;
    private int size;

    /** A window of {@code samples - 1} sampling intervals; at least two samples to have a rate at all. */
    public RateMeter(int samples) {
        if (samples < 2) {
            throw new IllegalArgumentException("a rate needs at least two samples, not " + samples);
        }
        sampledAtNanos = new long[samples];
        counts = new long[samples];
    }

    public synchronized void sample(long nanoTime, long count) {
        newest = (newest + 1) % counts.length;
        sampledAtNanos[newest] = nanoTime;
        counts[newest] = count;
        size = Math.min(size + 1, counts.length);
    }

    /** The growth per second between the oldest and the newest sample; 0 until there are two. */
    public synchronized double perSecond() {
        if (size < 2) {
            return 0;
        }
        int oldest = (newest - size + 1 + counts.length) % counts.length;
        long nanos = sampledAtNanos[newest] - sampledAtNanos[oldest];
        return nanos <= 0 ? 0 : (counts[newest] - counts[oldest]) * 1e9 / nanos;
    }
}
