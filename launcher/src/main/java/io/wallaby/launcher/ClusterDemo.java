package io.wallaby.launcher;

import io.wallaby.kafkabroker.KafkaBrokerProcess;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code launch.sh demo --cluster N}: the alert pipeline on a cluster of N engines coordinated by a Kafka broker
 * started for the demo (KRaft, one node, from the jars in {@code kafka-broker/target}). The postgres source splits
 * {@code transactions} by account over {@value #STREAMS} streams and is told every engine's address; each stream
 * goes to the engine that serves its partition (the others redirect the source there). One postgres sink drains
 * every engine into alert_log. At the end the demo checks alert_log against SQL over {@code transactions} and
 * shows which engine served which stream.
 */
final class ClusterDemo {

    static final int STREAMS = 8;
    static final int CLUSTER_PARTITIONS = 16;
    private static final long SEED = 20261202L;

    private final Pieces pieces;
    private final Path home;
    private final int engines;
    private final int count;
    private final Duration timeout;

    ClusterDemo(Pieces pieces, Path home, int engines, int count, Duration timeout) {
        this.pieces = pieces;
        this.home = home;
        this.engines = engines;
        this.count = count;
        this.timeout = timeout;
    }

    int run(DemoDatabase database, String conn, Path logDir) throws Exception {
        Connection db = database.connection();
        say("PostgreSQL: " + database.describe());
        long alertsBefore = AlertLogReader.lastRowId(db);
        database.createTransactionsTable();
        long idsBefore = database.lastTransactionId();

        say("Starting a Kafka broker (KRaft, one node)...");
        try (KafkaBrokerProcess kafka = KafkaBrokerProcess.startInCheckout(home, DemoFolders.fresh(home, ".wallaby/demo-kafka"))) {
            say("Kafka: " + kafka.bootstrap());
            EngineCluster cluster = new EngineCluster(pieces, kafka.bootstrap(), "demo", CLUSTER_PARTITIONS, engines,
                    List.of());
            say("Starting " + engines + " engines (alert_stateless) in cluster 'demo' (" + CLUSTER_PARTITIONS
                    + " partitions)...");
            for (int i = 1; i <= engines; i++) {
                cluster.start(i);
                DemoCommand.sayWebView(cluster.member(i).ports().admin());
            }
            say(String.format("Every partition has an engine after %.1f s: %s",
                    cluster.awaitEveryPartitionServed(timeout).toMillis() / 1e3, cluster.ownedByRunning()));
            say("Starting the postgres sink (drains every engine) and the postgres source (" + STREAMS
                    + " streams by account, told every engine's address)...");
            pieces.startSinkTo("sink-postgres", cluster.sinkAddresses(), "postgres", "--connection", conn);
            pieces.startSourceTo("source-postgres", cluster.sourceAddresses(), "postgres", "--connection", conn,
                    "--partitions", Integer.toString(STREAMS), "--partition-by", "account", "--snapshot", "never");

            long started = System.nanoTime();
            say("Inserting " + count + " transactions for accounts 1.." + VelocityTransactions.ACCOUNTS + "...");
            TransactionInserter.insertWithAccounts(db, VelocityTransactions.generate(count, VelocityDemo.START, SEED),
                    500);
            List<String> expected = StatelessExpectation.alerts(db, idsBefore);
            say(String.format("Inserted in %.1f s. Waiting for the %d alerts in alert_log...", seconds(started),
                    expected.size()));
            DemoCommand.awaitAlerts(db, alertsBefore, expected.size(), timeout, logDir);
            cluster.awaitNothingPending(timeout);
            double totalSeconds = seconds(started);
            AlertDifference difference = AlertDifference.of(expected,
                    AlertLogReader.alertsAfter(db, alertsBefore, Integer.MAX_VALUE));
            say("");
            say(String.format("%d transactions on %d streams over %d engines -> %d alerts in alert_log in %.1f s (%s).",
                    count, STREAMS, engines, expected.size(), totalSeconds, difference.none()
                            ? "exactly the expected alerts, none missing, none twice"
                            : "NOT the expected alerts: " + difference.describe()));
            say("Which engine served which stream (messages taken):");
            for (Map.Entry<String, Map<String, Long>> engine : cluster.streamsServed().entrySet()) {
                say("  " + engine.getKey() + ": " + engine.getValue());
            }
            say("An engine's view of the cluster: ./launch.sh status --admin http://127.0.0.1:"
                    + cluster.member(1).ports().admin() + "/ (while the demo runs)");
            say("Logs of every process: " + logDir);
            pieces.close(); // the engines leave the group before the broker stops
            return difference.none() ? 0 : 1;
        }
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private static void say(String line) {
        System.out.println(line);
    }
}
