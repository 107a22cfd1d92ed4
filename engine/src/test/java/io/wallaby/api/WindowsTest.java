package io.wallaby.api;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WindowsTest {

    @Test
    void aTumblingWindowIsAlignedToTheEpochAndHoldsItsStartButNotItsEnd() {
        Windows minutes = Windows.tumbling(Duration.ofSeconds(60));
        assertArrayEquals(new Window[] {new Window(60_000, 120_000)}, minutes.containing(60_000));
        assertArrayEquals(new Window[] {new Window(60_000, 120_000)}, minutes.containing(119_999));
        assertArrayEquals(new Window[] {new Window(120_000, 180_000)}, minutes.containing(120_000));
        // Before the epoch too: floor, not truncation towards zero.
        assertArrayEquals(new Window[] {new Window(-60_000, 0)}, minutes.containing(-1));
    }

    @Test
    void aSlidingWindowCountsATimeInEveryWindowThatCoversIt() {
        Windows windows = Windows.sliding(Duration.ofSeconds(30), Duration.ofSeconds(10));
        assertArrayEquals(new Window[] {new Window(20_000, 50_000), new Window(30_000, 60_000),
                new Window(40_000, 70_000)}, windows.containing(45_000));
        assertArrayEquals(new Window[] {new Window(10_000, 40_000), new Window(20_000, 50_000),
                new Window(30_000, 60_000)}, windows.containing(30_000));
    }

    @Test
    void impossibleWindowsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Windows.sliding(Duration.ofSeconds(5), Duration.ofSeconds(10)));
        assertThrows(IllegalArgumentException.class, () -> Windows.tumbling(Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> Windows.tumbling(Duration.ofSeconds(1)).withAllowedLateness(Duration.ofSeconds(-1)));
    }
}
