package io.wallaby.engine.cluster;

import io.wallaby.api.Settings;
import io.wallaby.apps.AlertStateless;
import io.wallaby.engine.Conditions;
import io.wallaby.engine.stream.OutputBudget;
import io.wallaby.engine.stream.StreamRegistry;
import io.wallaby.protocol.StreamIds;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;


/** What the checkpoint tests of this package share: clusters of {@link #PARTITIONS} partitions on {@link SharedKafka}. */
final class CheckpointFixture {

    static final int PARTITIONS = 2;

    private CheckpointFixture() {
    }

    static Admin admin(String bootstrap) {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(properties);
    }

    static ClusterSettings settings(String bootstrap, String cluster) {
        return new ClusterSettings(bootstrap, cluster, PARTITIONS, "127.0.0.1");
    }

    /** The engine's own membership of {@code cluster}, started (it creates the control topic if missing). */
    static ClusterMembership startMember(String bootstrap, String cluster, int port) throws Exception {
        StreamRegistry registry = new StreamRegistry(new AlertStateless().pipeline(Settings.of(Map.of())),
                new OutputBudget(1000));
        ClusterMembership member = new ClusterMembership(settings(bootstrap, cluster), registry);
        // No streams live in this registry: there is nothing to restore or hand over.
        member.start(new MemberAddress("127.0.0.1", port, port + 1, -1), new PartitionHandover() {
            @Override
            public void take(Set<Integer> partitions) {
            }

            @Override
            public void release(Set<Integer> partitions, boolean lost) {
            }
        });
        return member;
    }

    /** What a fresh store, of an engine that owns nothing, restores of {@code partitions}. */
    static RestoredStreams restore(String bootstrap, String cluster, Set<Integer> partitions) throws Exception {
        RestoredStreams restored = new RestoredStreams();
        try (KafkaCheckpointStore reader = KafkaCheckpointStore.open(settings(bootstrap, cluster), "reader",
                ownership(false, null))) {
            reader.restore(restored, partitions);
        }
        return restored;
    }

    /** An ownership that answers as told, whatever the group says. */
    static PartitionOwnership ownership(boolean owns, ConsumerGroupMetadata metadata) {
        return new PartitionOwnership() {
            @Override
            public boolean owns(int partition) {
                return owns;
            }

            @Override
            public ConsumerGroupMetadata groupMetadata() {
                return metadata;
            }
        };
    }

    /** A stream name of {@code partition}. */
    static String streamIn(int partition) {
        return streamIn(partition, 0);
    }

    /** The ({@code skip}+1)-th stream name of {@code partition}. */
    static String streamIn(int partition, int skip) {
        for (int i = 0; i < 10_000; i++) {
            String name = "stream-" + i;
            if (ClusterMembership.partitionOf(StreamIds.of(name), PARTITIONS) == partition && skip-- == 0) {
                return name;
            }
        }
        throw new AssertionError("no stream name falls in partition " + partition);
    }

    static void createControlTopic(Admin admin, String cluster) throws Exception {
        admin.createTopics(List.of(new NewTopic("wallaby." + cluster + ".control", Optional.of(PARTITIONS),
                Optional.empty()))).all().get(30, TimeUnit.SECONDS);
    }

    /** The group's members as the broker describes them: client id to the control partitions assigned to it. */
    static Map<String, Set<Integer>> members(Admin admin, String cluster) {
        try {
            Map<String, Set<Integer>> members = new HashMap<>();
            for (MemberDescription member : admin.describeConsumerGroups(List.of(cluster)).describedGroups()
                    .get(cluster).get(30, TimeUnit.SECONDS).members()) {
                members.put(member.clientId(), Set.copyOf(member.assignment().topicPartitions().stream()
                        .map(TopicPartition::partition).toList()));
            }
            return members;
        } catch (Exception e) {
            throw new AssertionError("cannot describe group " + cluster + ": " + e, e);
        }
    }

    /** Waits for {@code condition}, checked every 20 ms, up to 30 s. */
    static void await(BooleanSupplier condition, String what) {
        Conditions.await(condition, Duration.ofSeconds(30), what);
    }
}
