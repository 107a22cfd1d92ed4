package io.wallaby.connector;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The one stable hash that splits a source's data into several streams by a key, so that one key always
 * travels on one stream (as Kafka partitions do). State in the engine belongs to a (stream, key) pair, so
 * every connector that partitions must agree on it, now and in every later version: this class is that
 * contract.
 *
 * <ul>
 *   <li>{@link #of}: the first 8 bytes (big-endian) of SHA-256 of the UTF-8 bytes of the value's text form,
 *       read as an unsigned 64-bit number, modulo the number of partitions. The text form is the value as
 *       PostgreSQL's text output prints it: bigint 7 is {@code "7"}, text {@code abc} is {@code "abc"},
 *       boolean true is {@code "t"}. Connectors that are not PostgreSQL's print values the same way
 *       (an integer in decimal, without sign for non-negative values or leading zeros).</li>
 *   <li>A {@code null} value (a row without the key) goes to partition 0. Nothing is dropped: what such a
 *       row means is for the engine's application to decide.</li>
 *   <li>{@link #streamName}: partition {@code p} of stream {@code s} is the stream {@code s.p}.</li>
 * </ul>
 */
public final class StreamPartitions {

    private StreamPartitions() {
    }

    /**
     * The partition, in {@code 0 .. partitions-1}, of a value given in its text form.
     *
     * @param valueText  the value as PostgreSQL's text output prints it; {@code null} for a missing value,
     *                   which goes to partition 0
     * @param partitions how many partitions there are, at least 1
     */
    public static int of(String valueText, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        if (valueText == null) {
            return 0;
        }
        long hash = ByteBuffer.wrap(sha256(valueText.getBytes(StandardCharsets.UTF_8))).getLong();
        return (int) Long.remainderUnsigned(hash, partitions);
    }

    /** The name of partition {@code partition} of {@code stream}: {@code <stream>.<partition>}. */
    public static String streamName(String stream, int partition) {
        if (partition < 0) {
            throw new IllegalArgumentException("a partition is not negative, was " + partition);
        }
        return stream + "." + partition;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
