package io.wallaby.connector;

/**
 * Learns when the engine acknowledges progress on a source stream: everything up to {@code point} has
 * been processed and its results are durable at the sinks, so the connector may forget it (advance a
 * durable cursor, delete it from a queue).
 */
@FunctionalInterface
public interface AcknowledgementListener {

    /**
     * Called on the {@link SourceConnector}'s reader thread, in acknowledgement order. Must return quickly
     * and must not call back into the connector.
     */
    void onAcknowledged(String streamName, long point);
}
