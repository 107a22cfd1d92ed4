package io.wallaby.engine;

/** The engine cannot listen on one of its ports; the message says which and what to do. */
public final class PortUnavailableException extends Exception {

    public PortUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
