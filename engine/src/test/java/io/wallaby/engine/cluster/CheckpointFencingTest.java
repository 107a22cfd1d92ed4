package io.wallaby.engine.cluster;

import io.wallaby.protocol.Points;
import io.wallaby.protocol.StreamIds;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.wallaby.engine.cluster.CheckpointFixture.await;
import static io.wallaby.engine.cluster.CheckpointFixture.members;
import static io.wallaby.engine.cluster.CheckpointFixture.ownership;
import static io.wallaby.engine.cluster.CheckpointFixture.settings;
import static io.wallaby.engine.cluster.CheckpointFixture.streamIn;
import static io.wallaby.engine.cluster.RestoredStreams.changes;
import static io.wallaby.engine.cluster.RestoredStreams.checkpoint;
import static io.wallaby.engine.cluster.RestoredStreams.output;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/CLUSTER.md point 7 on a real broker. A member that stops polling (a paused engine) loses its partition to
 * another, which restores the zombie's last checkpoint and writes its own; the zombie's late checkpoint is then
 * refused by the group coordinator ({@link CommitFailedException}) and aborted, so a {@code read_committed} restore
 * still finds the new owner's, although the zombie's records did reach the log. After the zombie rejoins the group,
 * its stale metadata is refused as well. And a graceful handover: the final checkpoint a member writes inside
 * {@code onPartitionsRevoked} lands (the partition is still its own until it acknowledges), the metadata it had
 * there lands nothing once the new owner holds the partition.
 */
@ExtendWith(SharedKafka.class)
class CheckpointFencingTest {

    /**
     * How long the zombie may go without polling before its consumer leaves the group: short, so that the test does
     * not wait long, but far above the 50 ms between its polls while it is awake.
     */
    private static final Duration MAX_POLL_INTERVAL = Duration.ofSeconds(3);

    private static Admin admin;

    @BeforeAll
    static void connect() {
        admin = CheckpointFixture.admin(SharedKafka.bootstrap());
    }

    @AfterAll
    static void disconnect() {
        if (admin != null) {
            admin.close();
        }
    }

    @Test
    void aZombieCannotLandACheckpointOverTheNewOwners() throws Exception {
        String cluster = "zombie";
        ClusterSettings settings = settings(SharedKafka.bootstrap(), cluster);
        CheckpointFixture.createControlTopic(admin, cluster);
        int p = 0;
        String stream = streamIn(p);
        long id = StreamIds.of(stream);

        try (FreezableMember a = new FreezableMember(SharedKafka.bootstrap(), cluster, "engine-a", MAX_POLL_INTERVAL);
             KafkaCheckpointStore zombie = KafkaCheckpointStore.open(settings, "engine-a", a)) {
            await(() -> a.owns(0) && a.owns(1) && a.groupMetadata() != null && a.groupMetadata().generationId() > 0,
                    "A to own both partitions");
            zombie.write(checkpoint(id, stream, 10, List.of(changes("k", "a1")), List.of(output(100, "o100")),
                    Points.NONE));
            ConsumerGroupMetadata stale = a.groupMetadata();

            // A stops polling; past max.poll.interval.ms its consumer leaves the group, and B gets p.
            a.freeze();
            try (ClusterMembership b = CheckpointFixture.startMember(SharedKafka.bootstrap(), cluster, 7200)) {
                String bClient = new MemberAddress("127.0.0.1", 7200, 7201, -1).clientId();
                await(() -> b.owns(p) && members(admin, cluster).equals(Map.of(bClient, Set.of(0, 1))),
                        "B alone in the group, owning p");
                assertTrue(a.owns(p), "the frozen A still believes it owns p, as a paused engine would");
                try (KafkaCheckpointStore owner = KafkaCheckpointStore.open(settings, "engine-b", b)) {
                    RestoredStreams handedOver = new RestoredStreams();
                    owner.restore(handedOver, Set.of(p));
                    assertEquals(10, handedOver.stream(stream).position);
                    assertEquals(Map.of("0/k", "a1"), handedOver.stream(stream).state);
                    owner.write(checkpoint(id, stream, 20, List.of(changes("k", "b1")), List.of(output(200, "o200")),
                            100));
                }

                // A wakes up and writes the checkpoint it had taken before it froze.
                IOException late = assertThrows(IOException.class, () -> zombie.write(checkpoint(id, stream, 15,
                        List.of(changes("k", "a2", "z", "zombie")), List.of(output(150, "o150")), Points.NONE)));
                CommitFailedException refused = assertInstanceOf(CommitFailedException.class, late.getCause());
                System.out.println("The zombie's checkpoint was refused: " + refused);
                // The transaction was aborted and the producer is fit for the next one, which is refused the same way.
                assertInstanceOf(CommitFailedException.class, assertThrows(IOException.class, () -> zombie.write(
                        checkpoint(id, stream, 16, List.of(changes("z", "zombie")), List.of(), Points.NONE))).getCause());
                assertB(cluster, p, stream);
                assertTrue(uncommittedValues(cluster, p).contains("zombie"),
                        "the zombie's records should have reached the log (aborted), or this test proves nothing");

                // A polls again and rejoins the group; the metadata it had is still refused.
                a.resume();
                await(() -> a.groupMetadata().generationId() > stale.generationId(), "A to rejoin the group");
                try (KafkaCheckpointStore rejoined = KafkaCheckpointStore.open(settings, "engine-a",
                        ownership(true, stale))) {
                    IOException again = assertThrows(IOException.class, () -> rejoined.write(checkpoint(id, stream, 16,
                            List.of(changes("k", "a3", "z", "zombie")), List.of(), Points.NONE)));
                    System.out.println("After A rejoined (member id " + (stale.memberId().equals(
                            a.groupMetadata().memberId()) ? "kept" : "changed") + ", epoch " + stale.generationId()
                            + " -> " + a.groupMetadata().generationId() + "), its stale checkpoint was refused: "
                            + again.getCause());
                    assertInstanceOf(CommitFailedException.class, again.getCause());
                }
                assertB(cluster, p, stream);
            }
        }
    }

    @Test
    void aFinalCheckpointWhileAPartitionIsRevokedLandsAndNoneWithItsMetadataAfter() throws Exception {
        String cluster = "handover";
        ClusterSettings settings = settings(SharedKafka.bootstrap(), cluster);
        CheckpointFixture.createControlTopic(admin, cluster);
        try (FreezableMember a = new FreezableMember(SharedKafka.bootstrap(), cluster, "engine-a", Duration.ofSeconds(30));
             KafkaCheckpointStore store = KafkaCheckpointStore.open(settings, "engine-a", a)) {
            await(() -> a.owns(0) && a.owns(1) && a.groupMetadata() != null && a.groupMetadata().generationId() > 0,
                    "A to own both partitions");
            // The engine's final checkpoint of a partition it hands over, inside onPartitionsRevoked.
            Map<Integer, ConsumerGroupMetadata> revokedWith = new ConcurrentHashMap<>();
            List<Exception> failures = new CopyOnWriteArrayList<>();
            a.onRevoked(partitions -> partitions.forEach(q -> {
                String name = streamIn(q);
                try {
                    store.write(checkpoint(StreamIds.of(name), name, 30, List.of(changes("k", "final")), List.of(),
                            Points.NONE));
                    revokedWith.put(q, a.groupMetadata());
                } catch (IOException e) {
                    failures.add(e);
                }
            }));
            try (ClusterMembership b = CheckpointFixture.startMember(SharedKafka.bootstrap(), cluster, 7300)) {
                String bClient = new MemberAddress("127.0.0.1", 7300, 7301, -1).clientId();
                await(() -> !revokedWith.isEmpty() || !failures.isEmpty(), "A to hand a partition over");
                assertEquals(List.of(), failures);
                int q = revokedWith.keySet().iterator().next();
                String name = streamIn(q);
                await(() -> b.owns(q) && members(admin, cluster).getOrDefault(bClient, Set.of()).contains(q),
                        "B to own the partition A handed over");
                try (KafkaCheckpointStore owner = KafkaCheckpointStore.open(settings, "engine-b", b)) {
                    RestoredStreams handedOver = new RestoredStreams();
                    owner.restore(handedOver, Set.of(q));
                    assertEquals(30, handedOver.stream(name).position);
                    assertEquals(Map.of("0/k", "final"), handedOver.stream(name).state);
                }
                // Once the revocation is acknowledged, the metadata A had in the callback lands nothing more there.
                try (KafkaCheckpointStore late = KafkaCheckpointStore.open(settings, "engine-a-late",
                        ownership(true, revokedWith.get(q)))) {
                    IOException refused = assertThrows(IOException.class, () -> late.write(checkpoint(StreamIds.of(name),
                            name, 31, List.of(changes("k", "late")), List.of(), Points.NONE)));
                    assertInstanceOf(CommitFailedException.class, refused.getCause());
                }
                assertEquals(Map.of("0/k", "final"),
                        CheckpointFixture.restore(SharedKafka.bootstrap(), cluster, Set.of(q)).stream(name).state);
            }
        }
    }

    /** A read_committed restore finds B's checkpoint, nothing of the zombie's. */
    private static void assertB(String cluster, int p, String stream) throws Exception {
        RestoredStreams.Stream restored = CheckpointFixture.restore(SharedKafka.bootstrap(), cluster, Set.of(p)).stream(stream);
        assertEquals(20, restored.position);
        assertEquals(Map.of("0/k", "b1"), restored.state);
        assertEquals(List.of(200L), List.copyOf(restored.outputs.keySet()));
    }

    /** Every value in checkpoint partition {@code p}, aborted transactions included. */
    private static List<String> uncommittedValues(String cluster, int p) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap());
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        List<String> values = new ArrayList<>();
        TopicPartition partition = new TopicPartition(KafkaCheckpointStore.topicOf(cluster), p);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.position(partition) < end) {
                assertTrue(System.nanoTime() < deadline, "partition " + partition + " not read to " + end + " in 30 s");
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() != null) {
                        values.add(new String(record.value(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return values;
    }
}
