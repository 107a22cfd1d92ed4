package io.wallaby.connector;

/**
 * Learns when the engine acknowledges progress on a source stream: everything up to {@code point} has
 * been processed and its results are durable at the sinks, so the connector may forget it (advance a
 * durable cursor, delete it from a queue).
 */
@FunctionalInterface
public interface AcknowledgementListener {

    /**
     * Called on one of the {@link SourceConnector}'s reader threads (one per engine connection), one call at
     * a time, in acknowledgement order: each stream's point only goes up. (Around a stream's move between
     * engines both may acknowledge it; a point below one already passed on says nothing new and is not.)
     * Must return quickly and must not call back into the connector.
     */
    void onAcknowledged(String streamName, long point);
}
