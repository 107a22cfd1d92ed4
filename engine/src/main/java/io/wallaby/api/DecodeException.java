package io.wallaby.api;

/**
 * The payload of a message cannot be turned into an input: bad JSON, a missing field, a number that
 * is not a number. The message says what is wrong with the input, for the operator reading the log.
 *
 * <p>The engine logs it, counts it and treats the message as having no output: the message is still
 * acknowledged to its source, so one bad record never stops a stream.
 */
public class DecodeException extends Exception {

    public DecodeException(String message) {
        super(message);
    }

    public DecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
