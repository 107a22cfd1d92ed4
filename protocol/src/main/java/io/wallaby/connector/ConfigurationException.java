package io.wallaby.connector;

/**
 * The connector was configured wrongly: a bad flag value, an unparseable connection string, a missing
 * table. {@link ConnectorCommandLine} turns it into exit code 2 and prints the message, which says what
 * was wrong and what to do.
 */
public class ConfigurationException extends RuntimeException {

    public ConfigurationException(String message) {
        super(message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
