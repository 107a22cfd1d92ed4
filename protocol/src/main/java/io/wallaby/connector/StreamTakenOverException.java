package io.wallaby.connector;

/**
 * A stream this connector had open is now open on another connection: while this connector was away from
 * the engine (the engine restarted, or the connection broke), another instance of it, waiting as a standby,
 * took the stream over. This connector no longer owns the stream and has forgotten it, with the messages the
 * engine had not acknowledged (the instance that owns the stream now sends them again from its source).
 *
 * <p>What to do: let go of whatever the stream reads from (a replication slot, a cursor) and call
 * {@link SourceConnector#openStream} again, which waits as a standby until the stream is free; then read
 * from the source's recorded position, as a fresh start would.
 */
public final class StreamTakenOverException extends ConnectorException {

    private final String streamName;

    StreamTakenOverException(String streamName, int droppedMessages) {
        super("stream '" + streamName + "' was taken over by another connection (a standby instance?) while this "
                + "connector was away from the engine; it forgot the stream and its " + droppedMessages
                + " unacknowledged messages: open the stream again to wait as a standby");
        this.streamName = streamName;
    }

    /** The stream that was taken over. */
    public String streamName() {
        return streamName;
    }
}
