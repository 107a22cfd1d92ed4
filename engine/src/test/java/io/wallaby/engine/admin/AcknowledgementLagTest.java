package io.wallaby.engine.admin;

import io.wallaby.protocol.Points;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How far a source stream's acknowledgements trail what it accepted, as /status counts it. */
class AcknowledgementLagTest {

    @Test
    void theLagIsTheIdsBetweenTheLastAcceptedAndTheLastAcknowledged() {
        assertEquals(0, StatusReport.acknowledgementLag(Points.NONE, Points.NONE, 0), "nothing seen");
        assertEquals(3, StatusReport.acknowledgementLag(3, Points.NONE, 3), "nothing acknowledged yet");
        assertEquals(40, StatusReport.acknowledgementLag(100, 60, 100));
        assertEquals(0, StatusReport.acknowledgementLag(100, 100, 100), "all acknowledged");
        // Ids past 2^63 are unsigned: still a difference, not a negative number.
        assertEquals(5, StatusReport.acknowledgementLag(-1L - 10, -1L - 15, 7));
    }
}
