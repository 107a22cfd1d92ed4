package io.wallaby.engine.cluster;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;

/**
 * What a {@link KafkaCheckpointStore} asks of this engine's group membership before each checkpoint, from the
 * checkpoint thread: whether the stream's partition is still served here, and the consumer's group metadata
 * to hand to the transaction, with which the group coordinator refuses the checkpoint of a member that lost
 * the partition (docs/CLUSTER.md, point 7). Both answers may lag the group by one poll; the coordinator's
 * check is the one that holds, the local one closes the case it does not catch (see the store).
 */
public interface PartitionOwnership {

    /** Whether this engine serves {@code partition} of the control topic, as far as it knows. Any thread. */
    boolean owns(int partition);

    /**
     * The membership consumer's group metadata (group id, member id, member epoch) as it was after its last poll,
     * or null before the first one. Any thread: a {@code KafkaConsumer} may only be called from the thread that
     * polls it, so the membership publishes this rather than letting other threads ask the consumer.
     */
    ConsumerGroupMetadata groupMetadata();
}
