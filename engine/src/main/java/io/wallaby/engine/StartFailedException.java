package io.wallaby.engine;

/** The engine cannot start: a port it cannot listen on, TLS files it cannot use. The message says which and what to do. */
public final class StartFailedException extends Exception {

    public StartFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
