package io.wallaby.engine.cluster;

import java.util.List;

/**
 * The cluster as this engine sees it, for /status and /metrics.
 *
 * @param name                 the cluster (its consumer group)
 * @param kafka                the bootstrap servers
 * @param self                 this engine's source address, as connectors are redirected to it
 * @param partitions           the partitions of the control topic
 * @param owned                the partitions this engine serves
 * @param restoring            the partitions assigned to this engine whose streams' checkpoints it is restoring, not
 *                             served until that is done
 * @param members              every member the group described, with its partitions
 * @param unowned              partitions nobody serves
 * @param unownedForSeconds    how long the oldest of them has been without an owner (0: none)
 * @param revocations          how often partitions were taken from this engine
 * @param directoryAgeSeconds  how old the members' picture is (-1: none yet)
 */
public record ClusterView(String name, String kafka, String self, int partitions, List<Integer> owned,
                          List<Integer> restoring, List<Member> members, List<Integer> unowned, double unownedForSeconds, long revocations,
                          double directoryAgeSeconds) {

    /** A member: its source address (or client id), sink and admin ports (-1: unknown), its partitions. */
    public record Member(String address, int sinkPort, int adminPort, List<Integer> partitions) {
    }
}
