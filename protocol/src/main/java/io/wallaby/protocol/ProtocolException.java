package io.wallaby.protocol;

/**
 * The peer broke the protocol: a malformed or oversized frame, a frame that is not allowed in its
 * direction, or a frame out of order. The message is written for the operator and is sent to the
 * peer as the reason of an ERROR frame, so it says what was wrong and never carries secrets.
 */
public class ProtocolException extends RuntimeException {

    public ProtocolException(String message) {
        super(message);
    }
}
