package io.wallaby.engine.cluster;

import java.io.IOException;
import java.util.Set;

/**
 * What an engine does when the group moves partitions of the control topic to it or away from it
 * (docs/CLUSTER.md, point 6). {@link ClusterMembership} calls it on its own thread, inside the consumer's
 * rebalance callbacks, so Kafka hands a revoked partition on only once {@link #release} has returned.
 */
public interface PartitionHandover {

    /**
     * Before this engine serves {@code partitions}: their streams' checkpoints are restored. Until this
     * returns, connectors asking for those streams are told to ask again later.
     *
     * @throws IOException when the checkpoints cannot be read; nothing of those partitions is kept, and the
     *                     membership tries again
     */
    void take(Set<Integer> partitions) throws IOException;

    /**
     * After every stream of {@code partitions} was redirected (no connection holds one): a last checkpoint of
     * each, unless {@code lost} (the partitions were taken from this engine while it was out of touch, so
     * another engine may serve them already and nothing may be written), then they are forgotten here.
     */
    void release(Set<Integer> partitions, boolean lost);
}
