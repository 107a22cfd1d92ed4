package io.wallaby.engine.cluster;

import io.wallaby.engine.process.StreamProcessors;
import io.wallaby.engine.stream.SourceStream;
import io.wallaby.engine.stream.StreamRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@link PartitionHandover} of an engine's streams: a stateful pipeline's streams are restored from the
 * cluster's {@link KafkaCheckpointStore} when their partition arrives and checkpointed a last time when it
 * leaves; a stateless pipeline's need neither (the new owner is fed what the sources have not had
 * acknowledged). Either way the streams of a partition that left are forgotten, with their state and the
 * outputs held for sinks: the next owner makes them again, with the same ids.
 */
public final class StreamHandover implements PartitionHandover {

    private static final Logger log = LoggerFactory.getLogger(StreamHandover.class);
    /**
     * How long a revocation waits for the last checkpoints of its streams. Kafka hands the partitions on only
     * after that, so it is short: a checkpoint takes milliseconds, and one not made costs only a longer replay.
     */
    static final Duration LAST_CHECKPOINT_WAIT = Duration.ofSeconds(5);

    private final StreamRegistry registry;
    private final StreamProcessors processors;
    /** Null for a stateless pipeline. */
    private final KafkaCheckpointStore store;
    private final int partitions;

    /**
     * @param store the cluster's checkpoints for a stateful pipeline, null for a stateless one
     */
    public StreamHandover(StreamRegistry registry, StreamProcessors processors, KafkaCheckpointStore store,
                          int partitions) {
        this.registry = registry;
        this.processors = processors;
        this.store = store;
        this.partitions = partitions;
    }

    @Override
    public void take(Set<Integer> taken) throws IOException {
        if (store == null) {
            return;
        }
        long started = System.nanoTime();
        try {
            int restored = processors.restore(restorer -> store.restore(restorer, taken));
            log.info("Partitions {}: {} stream(s) restored from {} in {} ms", new TreeSet<>(taken), restored, store,
                    (System.nanoTime() - started) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            forget(taken, true); // a restore cut short leaves nothing half made
            throw e;
        }
    }

    @Override
    public void release(Set<Integer> released, boolean lost) {
        forget(released, lost);
    }

    private void forget(Set<Integer> released, boolean lost) {
        List<SourceStream> streams = registry.sources().stream()
                .filter(stream -> released.contains(ClusterMembership.partitionOf(stream.id(), partitions)))
                .toList();
        if (streams.isEmpty()) {
            return;
        }
        boolean lastCheckpoint = store != null && !lost;
        try {
            int durable = processors.release(streams, lastCheckpoint, LAST_CHECKPOINT_WAIT);
            if (lastCheckpoint) {
                log.info("Partitions {}: {} of {} stream(s) checkpointed for the next owner, then let go",
                        new TreeSet<>(released), durable, streams.size());
            } else {
                log.info("Partitions {}: {} stream(s) let go{}", new TreeSet<>(released), streams.size(),
                        store != null ? " without a last checkpoint (the next owner restores the one before)" : "");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
