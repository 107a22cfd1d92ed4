package io.wallaby.engine.cluster;

import java.util.List;
import java.util.Objects;

/**
 * Membership of a cluster of engines (docs/CLUSTER.md).
 *
 * @param kafka          the bootstrap servers, {@code host:port[,host:port...]}
 * @param name           the cluster's name: its consumer group and the prefix of its topics
 * @param partitions     the partitions of the control topic when this engine creates it
 * @param advertisedHost the host connectors are told to dial when redirected here
 */
public record ClusterSettings(String kafka, String name, int partitions, String advertisedHost) {
    public static final int DEFAULT_PARTITIONS = 64;

    public ClusterSettings {
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(advertisedHost, "advertisedHost");
    }

    public void addProblems(List<String> problems) {
        if (kafka.isBlank()) {
            problems.add("--kafka must name at least one broker, host:port");
        }
        // Topic names allow these characters only, and the name is part of two topic names.
        if (!name.matches("[A-Za-z0-9._-]{1,200}")) {
            problems.add("--cluster must be 1 to 200 letters, digits, '.', '_' or '-', was '" + name + "'");
        }
        if (partitions < 1 || partitions > 10_000) {
            problems.add("--cluster-partitions must be between 1 and 10000, was " + partitions);
        }
        if (advertisedHost.isBlank()) {
            problems.add("--advertised-host must not be empty");
        }
    }
}
