package io.wallaby.api;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * How a key or a piece of state is written into a checkpoint and read back. {@code decode(encode(v))}
 * must equal {@code v}, and equal values must encode to equal bytes (keys are compared by their bytes
 * where order matters, e.g. which of two windows closing together fires first). Called on the engine's
 * checkpoint and lane threads, so a codec must be thread-safe (a stateless one is).
 *
 * @param <T> the value
 */
public interface Codec<T> {

    byte[] encode(T value);

    T decode(byte[] bytes);

    /** A long as 8 bytes, big-endian. */
    Codec<Long> LONG = new Codec<>() {
        @Override
        public byte[] encode(Long value) {
            return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
        }

        @Override
        public Long decode(byte[] bytes) {
            return ByteBuffer.wrap(bytes).getLong();
        }
    };

    /** Text as UTF-8. */
    Codec<String> STRING = new Codec<>() {
        @Override
        public byte[] encode(String value) {
            return value.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decode(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    };

    /** An exact decimal: its scale (4 bytes) and its unscaled value (two's complement). */
    Codec<BigDecimal> DECIMAL = new Codec<>() {
        @Override
        public byte[] encode(BigDecimal value) {
            byte[] unscaled = value.unscaledValue().toByteArray();
            return ByteBuffer.allocate(Integer.BYTES + unscaled.length).putInt(value.scale()).put(unscaled).array();
        }

        @Override
        public BigDecimal decode(byte[] bytes) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            int scale = buffer.getInt();
            byte[] unscaled = new byte[buffer.remaining()];
            buffer.get(unscaled);
            return new BigDecimal(new BigInteger(unscaled), scale);
        }
    };
}
