package io.wallaby.launcher;

import java.time.Duration;
import java.util.List;

/**
 * The settings velocity_alerts runs with in the demo and the end-to-end tests, in one place so that the
 * engine's {@code --app-config} flags and the SQL expectation ({@link VelocityExpectation}) cannot disagree.
 *
 * @param window    the tumbling window, in whole seconds
 * @param threshold an alert when a window's withdrawals sum below {@code -threshold} (a whole number, as the
 *                  application reads it)
 * @param lateness  how far behind the stream's newest event time a row may still arrive
 */
public record VelocitySettings(Duration window, long threshold, Duration lateness) {

    /** What the demo and the tests use: windows of 10 s, threshold 5000, 5 s of lateness. */
    public static final VelocitySettings DEMO = new VelocitySettings(Duration.ofSeconds(10), 5000, Duration.ofSeconds(5));

    public VelocitySettings {
        if (window.isNegative() || window.isZero() || window.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("the window must be a positive whole number of seconds, was " + window);
        }
        if (lateness.isNegative() || lateness.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("the lateness must be zero or whole seconds, was " + lateness);
        }
        if (threshold < 0) {
            throw new IllegalArgumentException("the threshold must not be negative, was " + threshold);
        }
    }

    /** The engine's flags that run velocity_alerts with these settings. */
    public List<String> engineArgs() {
        return List.of("--application", "velocity_alerts",
                "--app-config", "window=" + window.toSeconds(),
                "--app-config", "threshold=" + threshold,
                "--app-config", "lateness=" + lateness.toSeconds());
    }
}
