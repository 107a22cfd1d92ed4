package io.wallaby.kafkabroker;

/** The broker cannot start; the message says why and what to do, in one line. */
final class StartFailedException extends Exception {

    StartFailedException(String message) {
        super(message);
    }

    StartFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
