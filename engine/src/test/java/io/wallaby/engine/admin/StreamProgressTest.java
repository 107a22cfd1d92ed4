package io.wallaby.engine.admin;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a stream counts as stuck, on made-up clock readings. */
class StreamProgressTest {

    private static final long SECOND = 1_000_000_000L;

    private final StreamProgress.Watch watch = new StreamProgress.Watch();

    @Test
    void anIdleStreamIsNeverStuckHoweverLongItsPointStays() {
        for (int s = 0; s <= 60; s++) {
            watch.observe("idle", 7, false, s * SECOND);
        }
        assertEquals(0, watch.secondsWithoutProgress("idle", 61 * SECOND));
    }

    @Test
    void aStreamWithWorkWhosePointStaysIsStuckAfterFiveSeconds() {
        watch.observe("s", 10, true, 0);
        watch.observe("s", 10, true, 3 * SECOND);
        assertEquals(3, watch.secondsWithoutProgress("s", 3 * SECOND), 1e-9);
        assertFalse(StreamProgress.stuck(watch.secondsWithoutProgress("s", 3 * SECOND)));
        watch.observe("s", 10, true, 5 * SECOND);
        assertEquals(5, watch.secondsWithoutProgress("s", 5 * SECOND), 1e-9);
        assertTrue(StreamProgress.stuck(watch.secondsWithoutProgress("s", 5 * SECOND)));
        // Read between samples, the time since the last progress keeps counting.
        assertEquals(6.5, watch.secondsWithoutProgress("s", 6 * SECOND + SECOND / 2), 1e-9);
    }

    @Test
    void aMovingPointIsProgressEvenWithWorkLeft() {
        watch.observe("s", 1, true, 0);
        for (int s = 1; s <= 10; s++) {
            watch.observe("s", 1 + s, true, s * SECOND);
        }
        assertEquals(0, watch.secondsWithoutProgress("s", 10 * SECOND), 1e-9);
        watch.observe("s", 11, true, 11 * SECOND);
        assertEquals(1, watch.secondsWithoutProgress("s", 11 * SECOND), 1e-9);
    }

    @Test
    void workThatJustArrivedCountsFromTheSampleThatSawItFirst() {
        watch.observe("s", 4, false, 0);
        watch.observe("s", 4, false, 10 * SECOND);
        watch.observe("s", 4, true, 20 * SECOND); // work came between 10 and 20 s: no failure to progress before
        assertEquals(0, watch.secondsWithoutProgress("s", 20 * SECOND), 1e-9);
        watch.observe("s", 4, true, 22 * SECOND);
        assertEquals(2, watch.secondsWithoutProgress("s", 22 * SECOND), 1e-9);
        watch.observe("s", 4, false, 23 * SECOND); // done: idle again
        assertEquals(0, watch.secondsWithoutProgress("s", 30 * SECOND), 1e-9);
    }

    @Test
    void aStreamNeverSampledOrForgottenHasNoTimeWithoutProgress() {
        assertEquals(0, watch.secondsWithoutProgress("unknown", 5 * SECOND));
        watch.observe("gone", 1, true, 0);
        watch.observe("kept", 1, true, 0);
        watch.retain(Set.of("kept"));
        assertEquals(0, watch.secondsWithoutProgress("gone", 9 * SECOND));
        assertEquals(9, watch.secondsWithoutProgress("kept", 9 * SECOND), 1e-9);
    }
}
