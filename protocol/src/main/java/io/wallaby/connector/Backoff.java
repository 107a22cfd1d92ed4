package io.wallaby.connector;

import java.time.Duration;

/**
 * Exponential backoff between attempts to reach a peer: 100 ms doubling up to 5 s by default, back to
 * the start after a success. Not thread-safe: each retry loop owns one.
 */
public final class Backoff {

    private final long initialMillis;
    private final long maxMillis;
    private long nextMillis;

    public Backoff(Duration initial, Duration max) {
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.nextMillis = initialMillis;
    }

    /** 100 ms doubling to 5 s. */
    public static Backoff standard() {
        return new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    }

    /** How long the next wait will be, in milliseconds. */
    public long nextDelayMillis() {
        return nextMillis;
    }

    /** Returns the current delay and doubles it for the next time. */
    public long next() {
        long delay = nextMillis;
        nextMillis = Math.min(maxMillis, nextMillis * 2);
        return delay;
    }

    /** Sleeps for the current delay and doubles it for the next time. */
    public void pause() throws InterruptedException {
        Thread.sleep(next());
    }

    public void reset() {
        nextMillis = initialMillis;
    }
}
