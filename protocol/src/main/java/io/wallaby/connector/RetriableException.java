package io.wallaby.connector;

/**
 * Thrown by a {@link SinkTask} when a later attempt may succeed: the connection to its store was lost, a
 * transaction hit a serialization failure, the server is restarting. The {@link SinkRunner} retries with
 * backoff; any other exception from a task is fatal. Where the task cannot tell, fatal is the safer guess:
 * the process exits saying why instead of retrying forever what may never succeed, and as nothing of the
 * batch was acknowledged, the engine gives it to the sink that is started next.
 */
public class RetriableException extends Exception {

    public RetriableException(String message) {
        super(message);
    }

    public RetriableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Says the cause's own message, which the runner's "could not ..., retrying" line then shows. */
    public RetriableException(Throwable cause) {
        super(cause.getMessage(), cause);
    }
}
