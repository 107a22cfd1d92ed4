package io.wallaby.launcher;

import io.wallaby.kafkabroker.KafkaBrokerProcess;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A cluster of engines on this machine, coordinated by a Kafka broker started for the demo (KRaft, one node, from
 * the jars in {@code kafka-broker/target}, its storage in {@code .wallaby/demo-kafka}, emptied at each run). The
 * engines form cluster {@value #NAME} of {@value #PARTITIONS} partitions, each on free ports; a stateful job's
 * checkpoints go to the cluster's checkpoint topic. The source splits {@code transactions} over {@value #STREAMS}
 * streams and is told every engine's address (an engine that does not serve a stream sends it to the one that
 * does); the sink drains every engine.
 */
final class ClusterTopology implements DemoTopology {

    static final String NAME = "demo";
    static final int PARTITIONS = 16;
    static final int STREAMS = 8;

    private final Path home;
    private final Pieces pieces;
    private final int engines;
    private final Duration timeout;
    private EngineCluster cluster;
    /** Started by the main thread, stopped by whichever of it and Ctrl-C's hook comes first: guarded by this. */
    private KafkaBrokerProcess broker;
    private boolean closed;

    /** @param timeout how long the engines may take to share the partitions between them */
    ClusterTopology(Path home, Path logDir, int engines, Duration timeout) throws IOException {
        this.home = home;
        this.pieces = new Pieces(home, logDir, 0, 0);
        this.engines = engines;
        this.timeout = timeout;
    }

    @Override
    public Pieces pieces() {
        return pieces;
    }

    @Override
    public int streams(DemoJob job) {
        return STREAMS;
    }

    @Override
    public String describe() {
        return "a cluster of " + engines + " engine" + (engines == 1 ? "" : "s");
    }

    @Override
    public void startEngines(DemoJob job, String sourceAdmin) throws Exception {
        say("Starting a Kafka broker (KRaft, one node)...");
        String bootstrap = startBroker();
        say("Kafka: " + bootstrap);
        List<String> args = new ArrayList<>(job.engineArgs());
        args.addAll(List.of("--source-admin", sourceAdmin));
        cluster = new EngineCluster(pieces, bootstrap, NAME, PARTITIONS, engines, args);
        say("Starting " + engines + " engine" + (engines == 1 ? "" : "s") + " (" + job.describe() + ") in cluster '"
                + NAME + "' (" + PARTITIONS + " partitions" + (job.stateDir() == null ? ""
                        : "; checkpoints in the Kafka topic wallaby." + NAME + ".checkpoints") + ")...");
        for (int i = 1; i <= engines; i++) {
            EngineCluster.Member member = cluster.start(i);
            DemoTopology.sayWebView(member.name(), member.ports().admin());
        }
        say(String.format("Every partition has an engine after %.1f s: %s",
                cluster.awaitEveryPartitionServed(timeout).toMillis() / 1e3, cluster.ownedByRunning()));
        say("The connectors are told every engine's address: the sink drains them all, and each source stream opens "
                + "on the engine that serves its partition (the others send it there).");
    }

    private synchronized String startBroker() throws IOException, InterruptedException {
        if (closed) {
            throw new IllegalStateException("the demo is stopping");
        }
        broker = KafkaBrokerProcess.startInCheckout(home, DemoFolders.fresh(home, ".wallaby/demo-kafka"));
        return broker.bootstrap();
    }

    @Override
    public String sourceAddresses() {
        return cluster.sourceAddresses();
    }

    @Override
    public String sinkAddresses() {
        return cluster.sinkAddresses();
    }

    @Override
    public void awaitAcknowledged(List<String> streams, Duration timeout) throws InterruptedException {
        cluster.awaitAcknowledged(streams, timeout);
    }

    @Override
    public void report() throws IOException, InterruptedException {
        say("Which engine served which stream (messages taken):");
        for (Map.Entry<String, Map<String, Long>> engine : cluster.streamsServed().entrySet()) {
            say("  " + engine.getKey() + ": " + engine.getValue());
        }
        say("An engine's view of the cluster: ./launch.sh status --admin http://127.0.0.1:"
                + cluster.member(1).ports().admin() + "/ (while the demo runs)");
    }

    /** The connectors and engines first, so that the engines leave the group before the broker stops. */
    @Override
    public void close() throws InterruptedException {
        pieces.close();
        synchronized (this) {
            closed = true;
            if (broker != null) {
                broker.close();
            }
        }
    }

    private static void say(String line) {
        System.out.println(line);
    }
}
