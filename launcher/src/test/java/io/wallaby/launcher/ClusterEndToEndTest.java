package io.wallaby.launcher;

import io.wallaby.kafkabroker.KafkaBrokerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A cluster of engines coordinated by a real Kafka broker (a process), fed by one partitioned postgres source
 * and drained by one postgres sink (given every engine's address in one run, finding them through the group in
 * the other), every piece its own OS process. Under load one engine is killed with
 * SIGKILL, a new one started, a fourth added, and one frozen (SIGSTOP) for longer than the group's session
 * timeout and then let go on (SIGCONT). At the end alert_log holds exactly the alerts the committed rows call
 * for, none missing, none twice: with alert_stateless one for every transaction over 1000 or under -1000;
 * with velocity_alerts, whose windows' sums are state that moves with its streams through the cluster's
 * checkpoint topic, one for every closed window over the threshold, with its sum. The time until the
 * partitions of a dead or frozen engine are served again is printed; it is the broker's session timeout (6 s
 * in tests and {@code ./launch.sh kafka}) plus a heartbeat or two, plus the restore of checkpoints.
 */
class ClusterEndToEndTest {

    private static final int STREAMS = 8;
    private static final int CLUSTER_PARTITIONS = 16;
    private static final long ACCOUNTS = 80;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final VelocitySettings VELOCITY = VelocitySettings.DEMO;

    private TestDatabase database;
    private Pieces pieces;
    private KafkaBrokerProcess kafka;

    @AfterEach
    void stop() throws Exception {
        if (pieces != null) {
            pieces.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"alert_stateless", "velocity_alerts"})
    void everyAlertExactlyOnceWhileEnginesDieJoinAndFreeze(String application, @TempDir Path kafkaDir)
            throws Exception {
        boolean velocity = application.equals("velocity_alerts");
        database = TestDatabase.start();
        try (DemoDatabase demo = DemoDatabase.open(database.connectionString())) {
            demo.createTransactionsTable(); // with the account, by which the source partitions its streams
        }
        kafka = KafkaBrokerProcess.start(kafkaDir);
        Path logDir = Path.of("target/e2e-logs/cluster-" + application);
        pieces = new Pieces(Path.of(".."), logDir, 0, 0);
        EngineCluster cluster = new EngineCluster(pieces, kafka.bootstrap(), "e2e", CLUSTER_PARTITIONS, 5,
                velocity ? VELOCITY.engineArgs() : List.of());
        for (int engine = 1; engine <= 3; engine++) {
            cluster.start(engine);
        }
        System.out.printf("3 engines serve %d partitions after %d ms%n", CLUSTER_PARTITIONS,
                cluster.awaitEveryPartitionServed(TIMEOUT).toMillis());
        if (velocity) {
            // This run's sink is given no engine: it finds them, engine-4 and engine-5 too, through the group.
            pieces.startSinkFinding("sink-postgres", kafka.bootstrap(), "e2e", "postgres", "--connection",
                    database.connectionString());
        } else {
            pieces.startSinkTo("sink-postgres", cluster.sinkAddresses(), "postgres", "--connection",
                    database.connectionString());
        }
        // The source knows the first three engines; the fourth it finds through redirects.
        pieces.startSourceTo("source-postgres", String.join(",", cluster.member(1).ports().sourceAddress(),
                        cluster.member(2).ports().sourceAddress(), cluster.member(3).ports().sourceAddress()),
                "postgres", "--connection", database.connectionString(), "--partitions", Integer.toString(STREAMS),
                "--partition-by", "account", "--snapshot", "never");

        List<String> takeovers = new ArrayList<>();
        Instant flushAt;
        try (AccountWriters writers = new AccountWriters(database.jdbcUrl(), STREAMS, ACCOUNTS,
                Instant.parse("2026-12-01T18:00:00Z"), 11)) {
            writers.start();
            awaitRows(writers, 500);

            // The faults hit the engine serving the most streams: with 8 streams over 16 partitions one may serve none.
            EngineCluster.Member killed = busiest(cluster);
            System.out.println("kill -9 of " + killed.name() + ", which serves " + cluster.streamsServed());
            killed.process().kill();
            Duration served = cluster.awaitEveryPartitionServed(TIMEOUT);
            takeovers.add("kill -9 of " + killed.name() + ": its partitions served again after " + served.toMillis()
                    + " ms");
            awaitRows(writers, writers.committedRows() + 500);

            cluster.start(4); // in place of the dead one: three engines again
            served = cluster.awaitEveryPartitionServed(TIMEOUT);
            takeovers.add("engine-4 started: every partition served once after " + served.toMillis() + " ms");
            awaitRows(writers, writers.committedRows() + 500);

            cluster.start(5); // a fourth
            served = cluster.awaitEveryPartitionServed(TIMEOUT);
            takeovers.add("engine-5 added, four running: every partition served once after " + served.toMillis()
                    + " ms");
            awaitRows(writers, writers.committedRows() + 500);

            EngineCluster.Member frozen = busiest(cluster);
            System.out.println("kill -STOP of " + frozen.name() + ", which serves " + cluster.streamsServed());
            frozen.process().pause();
            long pausedAt = System.nanoTime();
            served = awaitServedWithout(cluster, frozen);
            takeovers.add("kill -STOP of " + frozen.name() + ": its partitions served by the others after "
                    + served.toMillis() + " ms");
            awaitRows(writers, writers.committedRows() + 300);
            frozen.process().resume();
            System.out.printf("%s frozen for %d ms, then continued%n", frozen.name(),
                    (System.nanoTime() - pausedAt) / 1_000_000);
            served = cluster.awaitEveryPartitionServed(TIMEOUT);
            takeovers.add(frozen.name() + " back after SIGCONT: every partition served once after " + served.toMillis()
                    + " ms");
            awaitRows(writers, writers.committedRows() + 500);
            writers.close();
            flushAt = writers.lastEventTime().plus(Duration.ofHours(1));
            System.out.println("writers stopped: " + writers.committedRows() + " rows committed, "
                    + writers.failedTransactions() + " transactions failed");
        }
        takeovers.forEach(System.out::println);

        try (Connection db = database.connect()) {
            List<String> expected;
            if (velocity) {
                // One row per stream far ahead in event time closes every window still open.
                TransactionInserter.insertWithAccounts(db, WindowFlush.rows(STREAMS, flushAt), 100);
                expected = VelocityExpectation.alerts(db, VELOCITY, 0, flushAt);
            } else {
                expected = StatelessExpectation.alerts(db);
            }
            awaitCount(db, expected.size());
            cluster.awaitNothingPending(TIMEOUT);
            AlertDifference difference = AlertDifference.of(expected, AlertLogReader.alertsAfter(db, 0, Integer.MAX_VALUE));
            System.out.println("cluster, " + application + ": " + difference.describe());
            for (Map.Entry<String, Map<String, Long>> engine : cluster.streamsServed().entrySet()) {
                System.out.println("  " + engine.getKey() + " served " + engine.getValue());
            }
            if (!difference.none()) {
                fail(difference.describe());
            }
            assertTrue(expected.size() > (velocity ? 100 : 500), "enough alerts to mean something: " + expected.size());
        }
        assertStatusShowsTheCluster(cluster.member(5));
        for (EngineCluster.Member member : cluster.members()) {
            Path deadLetters = logDir.resolve(member.name() + "-dead-letters.jsonl");
            assertEquals(List.of(), Files.exists(deadLetters) ? Files.readAllLines(deadLetters) : List.of(),
                    member.name() + " wrote no dead letter");
        }
    }

    /** {@code launch.sh status} of one engine lists the members that run and says every partition is served. */
    private static void assertStatusShowsTheCluster(EngineCluster.Member engine) {
        StatusCommand status = new StatusCommand();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        status.out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        int exit = new CommandLine(status).execute("--admin", "http://127.0.0.1:" + engine.ports().admin() + "/");
        String table = printed.toString(StandardCharsets.UTF_8);
        System.out.println(table);
        assertEquals(0, exit, table);
        assertTrue(table.contains("Cluster e2e (Kafka at "), table);
        assertTrue(table.contains(engine.ports().sourceAddress()), table);
        assertTrue(table.contains("Every partition has an engine."), table);
    }

    /** The engine serving the most streams, once the source has opened some on every engine that serves any. */
    private static EngineCluster.Member busiest(EngineCluster cluster) throws Exception {
        EngineCluster.Member busiest = cluster.busiest();
        if (busiest == null) {
            throw new IllegalStateException("no engine serves a stream: " + cluster.streamsServed());
        }
        return busiest;
    }

    /** While {@code frozen} answers nothing, waits until the other running engines serve every partition. */
    private static Duration awaitServedWithout(EngineCluster cluster, EngineCluster.Member frozen)
            throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Set<Integer> served = new HashSet<>();
            cluster.ownedByRunningExcept(frozen).values().forEach(served::addAll);
            if (served.size() == CLUSTER_PARTITIONS) {
                return Duration.ofNanos(System.nanoTime() - started);
            }
            Thread.sleep(50); // polling the engines' /status for a condition
        }
        throw new IllegalStateException("the others did not take the frozen engine's partitions within " + TIMEOUT);
    }

    private static void awaitRows(AccountWriters writers, long rows) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (writers.committedRows() < rows) {
            if (System.nanoTime() > deadline) {
                fail("the writers committed only " + writers.committedRows() + " of " + rows + " rows in " + TIMEOUT);
            }
            Thread.sleep(50); // polling the writers' count
        }
    }

    private static void awaitCount(Connection db, long expected) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        long got = 0;
        while (System.nanoTime() < deadline) {
            got = AlertLogReader.countAfter(db, 0);
            if (got >= expected) {
                return;
            }
            Thread.sleep(100); // polling alert_log for the count
        }
        fail("alert_log holds " + got + " of the " + expected + " expected alerts after " + TIMEOUT
                + "; the processes' logs are under launcher/target/e2e-logs/cluster");
    }
}
