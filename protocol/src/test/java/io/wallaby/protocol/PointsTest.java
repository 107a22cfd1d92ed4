package io.wallaby.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PointsTest {

    @Test
    void everythingComesAfterNoneAndIdsCompareUnsigned() {
        assertTrue(Points.isAfter(0, Points.NONE));
        assertTrue(Points.isAfter(-2L, Points.NONE));
        assertTrue(Points.isAfter(-2L, 5)); // 2^64 - 2 is above 5
        assertFalse(Points.isAfter(5, -2L));
        assertFalse(Points.isAfter(5, 5));
    }

    @Test
    void pointsReadAsUnsignedDecimalOrNone() {
        assertEquals("none", Points.show(Points.NONE));
        assertEquals("18446744073709551614", Points.show(-2L));
        assertEquals("the beginning (nothing acknowledged)", Points.describe(Points.NONE));
        assertEquals("7", Points.describe(7));
    }
}
