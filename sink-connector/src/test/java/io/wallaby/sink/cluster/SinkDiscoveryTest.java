package io.wallaby.sink.cluster;

import io.wallaby.apps.AlertStateless;
import io.wallaby.connector.CommandThreads;
import io.wallaby.connector.ConnectorCommandLine;
import io.wallaby.connector.ConnectorSettings;
import io.wallaby.connector.EngineAddress;
import io.wallaby.connector.LogLines;
import io.wallaby.connector.SourceConnector;
import io.wallaby.engine.EngineConfig;
import io.wallaby.engine.EngineServer;
import io.wallaby.engine.cluster.ClusterMembership;
import io.wallaby.engine.cluster.ClusterSettings;
import io.wallaby.engine.cluster.ClusterView;
import io.wallaby.kafkabroker.KafkaBrokerProcess;
import io.wallaby.protocol.StreamIds;
import io.wallaby.sink.SinkMain;
import io.wallaby.sink.file.FileSinkCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A sink connector given only {@code --kafka}/{@code --cluster} finds a cluster's engines in their consumer group
 * and drains them all, also an engine that joins later: a real broker (its own process), real engines in cluster
 * mode in this JVM, the file sink's command as its executable runs it, a source connector told two engines only.
 */
class SinkDiscoveryTest {

    private static final int PARTITIONS = 4;
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static KafkaBrokerProcess kafka;

    private final List<EngineServer> engines = new ArrayList<>();
    private final String cluster = "sink-discovery-" + ProcessHandle.current().pid();

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
        EngineConfig config = EngineConfig.onFreePorts().toBuilder()
                .cluster(new ClusterSettings(kafka.bootstrap(), cluster, PARTITIONS, "127.0.0.1")).build();
        EngineServer engine = new EngineServer(config, new AlertStateless());
        engines.add(engine);
        return engine.start();
    }

    @Test
    void aSinkGivenOnlyKafkaAndTheClusterDrainsEveryEngineAndOneThatJoinsLater(@TempDir Path dir) throws Exception {
        EngineServer a = engine();
        EngineServer b = engine();
        awaitSettled(a, b);
        Path out = dir.resolve("alerts.txt");

        FileSinkCommand sink = new FileSinkCommand();
        new CommandLine(sink).parseArgs("--path", out.toString(), "--kafka", kafka.bootstrap(), "--cluster", cluster,
                "--discovery-interval", "500ms", "--instance-name", "discovering-sink");
        CompletableFuture<Integer> exit = CommandThreads.start(sink);
        ConnectorSettings sourceSettings = new ConnectorSettings("127.0.0.1", a.sourcePort(), "", "test-source",
                "test-source", 1 << 20).withEngines(List.of(new EngineAddress("127.0.0.1", a.sourcePort()),
                new EngineAddress("127.0.0.1", b.sourcePort())));
        try (SourceConnector source = new SourceConnector(sourceSettings)) {
            source.connect();
            String onA = streamServedBy(a, Set.of());
            String onB = streamServedBy(b, Set.of(onA));
            deposit(source, onA, 101);
            deposit(source, onB, 201);
            awaitAlerts(out, Set.of(101, 201), exit);

            EngineServer c = engine(); // joins later: the sink was told nothing about it
            awaitSettled(a, b, c);
            String onC = streamServedBy(c, Set.of(onA, onB));
            deposit(source, onC, 301); // the source, told a and b, is redirected to c
            deposit(source, onA, 102);
            awaitAlerts(out, Set.of(101, 201, 301, 102), exit);
        } finally {
            sink.stop();
        }
        assertEquals(0, exit.get(30, TimeUnit.SECONDS));
    }

    @Test
    void kafkaWithoutAClusterIsAConfigurationErrorAndAKafkaThatIsDownIsAskedAgainWithAWarning(@TempDir Path dir)
            throws Exception {
        String file = dir.resolve("alerts.txt").toString();
        assertEquals(2, ConnectorCommandLine.execute(new SinkMain(), "file", "--path", file, "--kafka", "127.0.0.1:9"));
        assertEquals(2, ConnectorCommandLine.execute(new SinkMain(), "file", "--path", file, "--cluster", "prod"));

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (LogLines warnings = new LogLines(KafkaEngineDiscovery.class);
             KafkaEngineDiscovery discovery = new KafkaEngineDiscovery("127.0.0.1:" + closedPort, "prod",
                     Duration.ofMillis(100), "test-sink")) {
            List<EngineAddress> found = new java.util.concurrent.CopyOnWriteArrayList<>();
            discovery.start(found::add);
            await(() -> warnings.messages().stream().anyMatch(m -> m.startsWith("cannot list the engines of cluster prod"
                    + " from Kafka at 127.0.0.1:" + closedPort)), "a warning that Kafka cannot be reached", null);
            assertEquals(List.of(), found);
        }
    }

    /** Writes a deposit over 1000 (an alert) as the next message of {@code stream}, opening it the first time. */
    private void deposit(SourceConnector source, String stream, int id) {
        if (!nextIds.containsKey(stream)) {
            source.openStream(stream);
        }
        long next = nextIds.merge(stream, 1L, Long::sum);
        source.write(stream, next, ("{\"id\":" + id + ",\"amount\":1500}").getBytes(StandardCharsets.UTF_8));
        source.flush();
    }

    private final java.util.Map<String, Long> nextIds = new java.util.HashMap<>();

    private static void awaitAlerts(Path out, Set<Integer> ids, CompletableFuture<Integer> sink) {
        await(() -> {
            Set<Integer> seen = new HashSet<>();
            for (String line : lines(out)) {
                if (line.startsWith("Deposit Alert for ")) {
                    seen.add(Integer.parseInt(line.substring("Deposit Alert for ".length(), line.indexOf(':'))));
                }
            }
            return seen.containsAll(ids);
        }, "the alerts of transactions " + ids + " in the sink's file", () -> lines(out) + "; sink " + sink);
    }

    private static List<String> lines(Path out) {
        try {
            return Files.exists(out) ? Files.readAllLines(out, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            return List.of(e.toString());
        }
    }

    /** Waits until the engines between them serve every partition, each some, each knowing who serves what. */
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
        }, "every partition served once and known to every engine", null);
    }

    /** A stream name, not among {@code taken}, whose partition {@code engine} serves. */
    private static String streamServedBy(EngineServer engine, Set<String> taken) {
        List<Integer> owned = engine.membership().view().owned();
        for (int i = 0; i < 10_000; i++) {
            String name = "tx-" + i;
            if (!taken.contains(name) && owned.contains(ClusterMembership.partitionOf(StreamIds.of(name), PARTITIONS))) {
                return name;
            }
        }
        throw new AssertionError("no stream name falls in the partitions " + owned);
    }

    private static void await(BooleanSupplier condition, String what, Supplier<String> state) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + PATIENCE.toSeconds() + " s for " + what
                        + (state == null ? "" : ": " + state.get()));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
        assertFalse(Thread.currentThread().isInterrupted());
    }
}
