package io.wallaby.api;

/**
 * Turns the payload of a source message into the input of the first computation.
 *
 * <p>Called on the lane thread of the message's stream: calls for one stream are sequential, calls for
 * different streams may be concurrent, so a decoder must be thread-safe (a stateless one is). It is never called for an empty payload: such a message only
 * moves its stream's position forward.
 *
 * @param <T> the decoded input
 */
@FunctionalInterface
public interface Decoder<T> {

    /**
     * @param payload the message payload, never empty
     * @return the input, never {@code null}
     * @throws DecodeException when the payload is not a valid input; the message says why
     */
    T decode(byte[] payload) throws DecodeException;
}
