/**
 * Cluster mode (docs/CLUSTER.md): the engine as a member of a Kafka consumer group whose assigned partitions
 * of the control topic are the partitions of source streams it serves. {@link io.wallaby.engine.cluster.ClusterMembership}
 * joins and follows the group; {@link io.wallaby.engine.cluster.MemberDirectory} knows who serves what; the
 * source sessions ask both through {@link io.wallaby.engine.stream.Placement}. No membership, heartbeat or
 * assignment code of our own: Kafka's group protocol (KIP-848) does that.
 */
package io.wallaby.engine.cluster;
