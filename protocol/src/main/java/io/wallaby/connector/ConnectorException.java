package io.wallaby.connector;

/**
 * The connector cannot go on: the engine refused it for a reason that retrying will not fix (a wrong
 * cookie or protocol version), the connector was closed, or it was interrupted. The message says what
 * was wrong and what to do.
 */
public class ConnectorException extends RuntimeException {

    public ConnectorException(String message) {
        super(message);
    }

    public ConnectorException(String message, Throwable cause) {
        super(message, cause);
    }
}
