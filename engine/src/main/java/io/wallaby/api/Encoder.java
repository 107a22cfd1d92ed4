package io.wallaby.api;

/**
 * Turns a final output into the payload of a sink message. Called on lane threads like
 * {@link Decoder}, so it must be thread-safe.
 *
 * @param <T> the output of the last computation
 */
@FunctionalInterface
public interface Encoder<T> {

    byte[] encode(T output);
}
