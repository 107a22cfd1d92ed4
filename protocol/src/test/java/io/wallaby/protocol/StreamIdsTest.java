package io.wallaby.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class StreamIdsTest {

    @Test
    void isTheFirstEightBytesOfSha256OfTheName() {
        // `echo -n transactions | sha256sum` starts with 81dc075c3d552302.
        assertEquals(Long.parseUnsignedLong("81dc075c3d552302", 16), StreamIds.of("transactions"));
        assertNotEquals(StreamIds.of("transactions"), StreamIds.of("generator"));
    }
}
