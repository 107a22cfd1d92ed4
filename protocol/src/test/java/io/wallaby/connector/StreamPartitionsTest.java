package io.wallaby.connector;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The partition hash is a contract between connectors and versions: these values are fixed (computed
 * independently with {@code printf %s VALUE | sha256sum}, the first 16 hex digits as an unsigned number).
 */
class StreamPartitionsTest {

    @Test
    void fixedValues() {
        // "7" -> 0x7902699be42c8a8e = 8719647946811673230
        assertEquals(2, StreamPartitions.of("7", 3));
        assertEquals(6, StreamPartitions.of("7", 8));
        assertEquals(230, StreamPartitions.of("7", 1000));
        assertEquals(0, StreamPartitions.of("0", 3));
        assertEquals(1, StreamPartitions.of("1", 3));
        assertEquals(0, StreamPartitions.of("42", 3));
        assertEquals(5, StreamPartitions.of("42", 8));
        assertEquals(2, StreamPartitions.of("-5", 3));
    }

    @Test
    void theHashIsReadUnsigned() {
        // "abc" -> 0xba7816bf8f01cfea = 13436514500253700074, above 2^63: a signed reading would differ
        assertEquals(0, StreamPartitions.of("abc", 3));
        assertEquals(74, StreamPartitions.of("abc", 1000));
        // "" -> 0xe3b0c44298fc1c14 = 16406829232824261652
        assertEquals(1, StreamPartitions.of("", 3));
        assertEquals(652, StreamPartitions.of("", 1000));
    }

    @Test
    void textIsHashedAsUtf8() {
        // "\u00e4" is c3 a4 in UTF-8 -> 0x33e6d73fee82904c; mod 1000 = 132
        assertEquals(132, StreamPartitions.of("\u00e4", 1000));
    }

    @Test
    void nullGoesToPartitionZeroAndOnePartitionIsZero() {
        assertEquals(0, StreamPartitions.of(null, 7));
        assertEquals(0, StreamPartitions.of("anything", 1));
    }

    @Test
    void streamNames() {
        assertEquals("transactions.0", StreamPartitions.streamName("transactions", 0));
        assertEquals("transactions.11", StreamPartitions.streamName("transactions", 11));
        assertThrows(IllegalArgumentException.class, () -> StreamPartitions.streamName("s", -1));
        assertThrows(IllegalArgumentException.class, () -> StreamPartitions.of("7", 0));
    }
}
