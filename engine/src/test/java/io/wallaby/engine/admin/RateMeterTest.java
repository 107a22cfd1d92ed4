package io.wallaby.engine.admin;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The ring of samples behind the /status rates, on made-up clock readings. */
class RateMeterTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void noRateUntilTwoSamples() {
        RateMeter meter = new RateMeter(3);
        assertEquals(0, meter.perSecond());
        meter.sample(0, 100);
        assertEquals(0, meter.perSecond());
        meter.sample(SECOND, 150);
        assertEquals(50, meter.perSecond(), 1e-9);
    }

    @Test
    void theRateCoversTheWindowOnlyAndFallsToZeroOnceTheCountStops() {
        RateMeter meter = new RateMeter(3); // a window of two intervals
        meter.sample(0, 0);
        meter.sample(SECOND, 1000);
        meter.sample(2 * SECOND, 1000);
        assertEquals(500, meter.perSecond(), 1e-9);
        meter.sample(3 * SECOND, 1000); // the sample at 0 leaves the ring
        assertEquals(0, meter.perSecond(), 1e-9);
        meter.sample(4 * SECOND, 1400);
        assertEquals(200, meter.perSecond(), 1e-9);
    }
}
