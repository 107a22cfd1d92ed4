package io.wallaby.engine;

import io.wallaby.apps.AlertStateless;
import io.wallaby.apps.VelocityAlerts;
import io.wallaby.engine.cluster.ClusterMembership;
import io.wallaby.engine.cluster.ClusterSettings;
import io.wallaby.engine.cluster.ClusterView;
import io.wallaby.kafkabroker.KafkaBrokerProcess;
import io.wallaby.engine.stream.SinkIds;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static io.wallaby.engine.Peer.assertIds;
import static io.wallaby.engine.Peer.assertReason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Engines in a cluster over a real Kafka broker (a separate process): each serves the streams of the
 * partitions the group assigned it and sends connectors elsewhere for the others (docs/PROTOCOL.md,
 * "Clusters: redirects per stream"), also when a partition moves while its stream is open, and a stateful
 * stream's checkpoint moves with it.
 */
class ClusterPlacementTest {

    private static final int PARTITIONS = 4;
    private static final AtomicInteger CLUSTERS = new AtomicInteger();
    private static KafkaBrokerProcess kafka;

    private final List<EngineServer> engines = new ArrayList<>();
    private final String cluster = "placement-" + CLUSTERS.incrementAndGet();

    @BeforeAll
    static void startKafka(@TempDir Path dir) throws Exception {
        kafka = KafkaBrokerProcess.start(dir);
    }

    @AfterAll
    static void stopKafka() throws InterruptedException {
        if (kafka != null) {
            kafka.close();
        }
    }

    @AfterEach
    void stopEngines() {
        engines.forEach(EngineServer::close);
    }

    private EngineServer engine() throws Exception {
        return engine(PARTITIONS);
    }

    private EngineServer engine(int partitions) throws Exception {
        EngineConfig config = EngineConfig.onFreePorts().toBuilder()
                .cluster(new ClusterSettings(kafka.bootstrap(), cluster, partitions, "127.0.0.1")).build();
        EngineServer engine = new EngineServer(config, new AlertStateless());
        engines.add(engine);
        return engine.start();
    }

    /**
     * Waits until {@code engines} between them serve every partition, each serving some, and each knows who serves
     * what (the group settles in steps: for a moment one member may hold them all).
     */
    private static void awaitSettled(EngineServer... engines) {
        await(() -> {
            Set<Integer> served = new HashSet<>();
            int total = 0;
            for (EngineServer engine : engines) {
                ClusterView view = engine.membership().view();
                served.addAll(view.owned());
                total += view.owned().size();
                Set<Integer> known = new HashSet<>();
                view.members().forEach(member -> known.addAll(member.partitions()));
                if (view.members().size() != engines.length || known.size() != PARTITIONS || view.owned().isEmpty()) {
                    return false;
                }
            }
            return served.size() == PARTITIONS && total == PARTITIONS;
        }, "every partition served once and known to every engine");
    }

    private static void await(BooleanSupplier condition, String what) {
        Conditions.await(condition, Duration.ofSeconds(60), what);
    }

    /** A stream name whose partition {@code engine} serves. */
    private static String streamServedBy(EngineServer engine) {
        List<Integer> owned = engine.membership().view().owned();
        for (int i = 0; i < 10_000; i++) {
            String name = "stream-" + i;
            if (owned.contains(ClusterMembership.partitionOf(StreamIds.of(name), PARTITIONS))) {
                return name;
            }
        }
        throw new AssertionError("no stream name falls in the partitions " + owned);
    }

    private static String address(EngineServer engine) {
        return "127.0.0.1:" + engine.sourcePort();
    }

    @Test
    void aStreamServedByAnotherEngineIsRedirectedThereWhileTheConnectionKeepsItsOtherStreams() throws Exception {
        EngineServer a = engine();
        EngineServer b = engine();
        awaitSettled(a, b);
        String mine = streamServedBy(a);
        String theirs = streamServedBy(b);

        try (Peer source = Peer.connect(a.sourcePort())) {
            source.hello("");
            assertTrue(source.notifyStream(mine).success());
            source.send(new Frame.Notify(StreamIds.of(theirs), theirs, Frame.U64_MAX));
            assertEquals(address(b), source.expect(Frame.Restart.class).address());
            Frame.NotifyAck refused = source.expect(Frame.NotifyAck.class);
            assertFalse(refused.success());
            assertEquals(StreamIds.of(theirs), refused.streamId());

            // A message the connector sent on the redirected stream before it heard is dropped, not an error;
            // the stream it keeps here flows on.
            source.send(SourceSessionTest.message(theirs, 1, "{\"id\":1,\"amount\":5}"),
                    SourceSessionTest.message(mine, 1, "{\"id\":1,\"amount\":5}"));
            source.awaitAck(StreamIds.of(mine), 1);
            assertEquals(1, a.counters().redirectedDrops());
        }
        try (Peer source = Peer.connect(b.sourcePort())) {
            source.hello("");
            assertTrue(source.notifyStream(theirs).success(), "the owner takes the stream");
        }
    }

    @Test
    void theStreamsOfAnEngineThatLeavesAreRedirectedAndAnotherEngineServesThem() throws Exception {
        EngineServer a = engine();
        EngineServer b = engine();
        awaitSettled(a, b);
        String moving = streamServedBy(b);

        try (Peer source = Peer.connect(b.sourcePort())) {
            source.hello("");
            assertTrue(source.notifyStream(moving).success());
            source.send(SourceSessionTest.message(moving, 1, "{\"id\":1,\"amount\":5}"));
            source.awaitAck(StreamIds.of(moving), 1);

            b.drain(Duration.ofSeconds(10)); // leaves the group first
            Frame frame = source.read();
            while (frame instanceof Frame.Ack) {
                frame = source.read();
            }
            Frame.Restart restart = assertInstanceOf(Frame.Restart.class, frame);
            assertEquals("", restart.address(), "the next owner is not known while the partition is revoked");
            Frame.NotifyAck moved = source.expect(Frame.NotifyAck.class);
            assertFalse(moved.success());
            assertEquals(StreamIds.of(moving), moved.streamId());
        }
        awaitSettled(a);
        try (Peer source = Peer.connect(a.sourcePort())) {
            source.hello("");
            assertTrue(source.notifyStream(moving).success());
        }
    }

    @Test
    void aStatefulStreamMovesWithItsStatePositionAndUncommittedOutputs() throws Exception {
        EngineServer a = statefulEngine();
        EngineServer b = statefulEngine();
        awaitSettled(a, b);
        String moving = streamServedBy(a);
        long movingId = StreamIds.of(moving);

        try (Peer source = Peer.connect(a.sourcePort())) {
            source.hello("");
            assertTrue(source.notifyStream(moving).success());
            source.send(transaction(moving, 1, 7, "-60", "18:00:01"), transaction(moving, 2, 7, "-60", "18:00:02"),
                    transaction(moving, 3, 8, "1", "18:00:15"), transaction(moving, 4, 7, "-70", "18:00:21"));
            // The window [18:00:00, 18:00:10) closed at message 3: its alert waits for a sink that is not there.
            await(() -> a.registry().logs().stream().mapToInt(log -> log.size()).sum() == 1
                    && a.registry().source(movingId, moving).lastSeen() == 4, "message 4 processed on " + a);
        }
        a.close(); // leaves the group: the partition is revoked, the stream checkpointed a last time
        awaitSettled(b);

        try (Peer source = Peer.connect(b.sourcePort()); Peer sink = Peer.connect(b.sinkPort())) {
            source.hello("");
            assertEquals(4, source.notifyStream(moving).pointOfReference(), "the new owner resumes after message 4");
            // Message 4's withdrawal is in the restored state: the window [18:00:20, 18:00:30) adds up to -140.
            source.send(transaction(moving, 5, 7, "-70", "18:00:22"), transaction(moving, 6, 8, "1", "18:00:35"));
            sink.hello("");
            Frame.Notify notify = sink.expect(Frame.Notify.class);
            sink.send(new Frame.NotifyAck(true, notify.streamId(), Frame.U64_MAX), new Frame.Ack(10, List.of()));
            List<Frame.Message> alerts = sink.messages(2);
            assertIds(List.of(SinkIds.of(3, 0), SinkIds.of(6, 0)), alerts);
            assertEquals("Velocity Alert for account 7: -120 withdrawn in [2026-12-01T18:00:00Z, "
                    + "2026-12-01T18:00:10Z)", Peer.text(alerts.get(0)));
            assertEquals("Velocity Alert for account 7: -140 withdrawn in [2026-12-01T18:00:20Z, "
                    + "2026-12-01T18:00:30Z)", Peer.text(alerts.get(1)));
        }
    }

    private EngineServer statefulEngine() throws Exception {
        EngineConfig config = EngineConfig.onFreePorts().toBuilder()
                .cluster(new ClusterSettings(kafka.bootstrap(), cluster, PARTITIONS, "127.0.0.1"))
                .checkpointInterval(Duration.ofMillis(50))
                .appConfig(Map.of("window", "10", "threshold", "100", "lateness", "0")).build();
        EngineServer engine = new EngineServer(config, new VelocityAlerts());
        engines.add(engine);
        return engine.start();
    }

    private static Frame.Message transaction(String stream, long id, int account, String amount, String time) {
        return SourceSessionTest.message(stream, id, "{\"id\":" + id + ",\"amount\":" + amount + ",\"account\":"
                + account + ",\"created_at\":\"2026-12-01T" + time + "Z\"}");
    }

    @Test
    void anEngineGivenOtherPartitionsThanTheClusterHasIsRefusedAtStart() throws Exception {
        engine(PARTITIONS);
        StartFailedException refused = assertThrows(StartFailedException.class, () -> engine(PARTITIONS * 2));
        assertReason("start it with --cluster-partitions " + PARTITIONS, refused.getMessage());
    }
}
