package io.wallaby.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Stream ids are a deterministic function of the stream's name, as in Wallaroo's connectors: the
 * first 8 bytes, big-endian, of the SHA-256 of the name's UTF-8 bytes. Any connector, and the engine,
 * can compute the id of a stream from its name alone.
 */
public final class StreamIds {

    private StreamIds() {
    }

    public static long of(String streamName) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(streamName.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest, 0, Long.BYTES).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
