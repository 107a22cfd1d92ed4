package io.wallaby.api;

import java.time.Instant;

/**
 * An event-time window {@code [start, end)} in milliseconds since the Unix epoch.
 *
 * @param start the first millisecond in the window
 * @param end   the first millisecond after it
 */
public record Window(long start, long end) {

    public Window {
        if (end <= start) {
            throw new IllegalArgumentException("a window ends after it starts: [" + start + ", " + end + ")");
        }
    }

    public Instant startInstant() {
        return Instant.ofEpochMilli(start);
    }

    public Instant endInstant() {
        return Instant.ofEpochMilli(end);
    }
}
