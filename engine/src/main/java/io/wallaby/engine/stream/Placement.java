package io.wallaby.engine.stream;

/**
 * Which engine serves a source stream. A standalone engine serves every stream ({@link #HERE}); an engine in a
 * cluster serves the streams of the partitions the cluster assigned it, and knows, as far as the cluster told
 * it, who serves the others (docs/CLUSTER.md). Called on event loops: answers from memory, never blocks.
 */
public interface Placement {

    /** Every stream is served here. */
    Placement HERE = streamId -> null;

    /**
     * Null when this engine serves the stream; otherwise the source address ({@code host:port}) of the engine
     * that does, or the empty string while nobody does or this engine does not know who yet (the connector
     * asks again after a backoff).
     */
    String elsewhere(long streamId);
}
