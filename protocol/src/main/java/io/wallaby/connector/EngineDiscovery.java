package io.wallaby.connector;

import java.util.function.Consumer;

/**
 * Finds the engines of a cluster while a sink runs, so that a sink connector need not be told every engine
 * ({@link SinkRunner#discoverWith}). The wallaby-sink connectors' {@code --kafka HOST:PORT --cluster NAME} asks
 * the engines' consumer group for its members ({@link ClusterMember}); the SDK itself does not depend on a
 * Kafka client.
 */
public interface EngineDiscovery extends AutoCloseable {

    /**
     * Starts looking, on a thread of the discovery's own, and keeps looking until {@link #close()}: each engine
     * found is passed to {@code found} (its sink address), again on each look; the sink dials the ones it has no
     * link to yet and ignores the others. It must not throw when the directory cannot be reached: it logs a
     * warning and tries again.
     */
    void start(Consumer<EngineAddress> found);

    /** Stops looking; from any thread. */
    @Override
    void close();
}
