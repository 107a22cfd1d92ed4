package io.wallaby.connector;

import io.wallaby.protocol.Points;

import java.util.Map;
import java.util.WeakHashMap;

/**
 * Passes acknowledgements on to a {@link SourceConnector}'s listener one call at a time, each stream's point
 * only going up, whichever reader thread brings them. A connector of several engines has a reader thread per
 * connection, and around a stream's move the old engine and the new one both acknowledge it: a point below
 * one already told says nothing new (everything up to the higher one is acknowledged) and is not passed on.
 */
final class OrderedAcknowledgements {

    private final AcknowledgementListener listener;
    /** The last point told per stream; weak, as a stream closed (or taken over) and opened again is a new one. */
    private final Map<OpenStream, Long> told = new WeakHashMap<>();

    OrderedAcknowledgements(AcknowledgementListener listener) {
        this.listener = listener;
    }

    /** Tells the listener, unless a point at or above this one was told already; without the connector's lock. */
    synchronized void tell(OpenStream stream, long point) {
        Long before = told.get(stream);
        if (point == Points.NONE || before != null && !Points.isAfter(point, before)) {
            return;
        }
        told.put(stream, point);
        listener.onAcknowledged(stream.name(), point);
    }
}
