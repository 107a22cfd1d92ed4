package io.wallaby.engine.stream;

import io.wallaby.protocol.Frame;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SinkIdsTest {

    @Test
    void theKthOutputOfMessageMIsMTimes65536PlusK() {
        assertEquals(0, SinkIds.of(0, 0));
        assertEquals(3 * 65536, SinkIds.of(3, 0));
        assertEquals(3 * 65536 + 65535, SinkIds.of(3, 65535));
        assertEquals(65536, SinkIds.MAX_OUTPUTS_PER_INPUT);
        assertEquals((1L << 48) - 2, SinkIds.MAX_SOURCE_ID);
    }

    @Test
    void noOutputGetsTheIdThatMeansNone() {
        long last = SinkIds.of(SinkIds.MAX_SOURCE_ID, SinkIds.MAX_OUTPUTS_PER_INPUT - 1);
        assertTrue(Long.compareUnsigned(last, Frame.U64_MAX) < 0, "the largest sink id is below 2^64 - 1");
    }

    @Test
    void idsIncreaseAcrossMessagesAndWithinOne() {
        long last = SinkIds.of(7, SinkIds.MAX_OUTPUTS_PER_INPUT - 1);
        assertTrue(Long.compareUnsigned(SinkIds.of(8, 0), last) > 0);
        assertTrue(Long.compareUnsigned(SinkIds.of(SinkIds.MAX_SOURCE_ID, 0),
                SinkIds.of(SinkIds.MAX_SOURCE_ID - 1, SinkIds.MAX_OUTPUTS_PER_INPUT - 1)) > 0);
    }

    @Test
    void outOfBoundsWouldShareAnIdSoIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SinkIds.of(SinkIds.MAX_SOURCE_ID + 1, 0));
        assertThrows(IllegalArgumentException.class, () -> SinkIds.of(-1L, 0));
        assertThrows(IllegalArgumentException.class, () -> SinkIds.of(1, SinkIds.MAX_OUTPUTS_PER_INPUT));
        assertThrows(IllegalArgumentException.class, () -> SinkIds.of(1, -1));
    }
}
