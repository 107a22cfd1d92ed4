package io.wallaby.launcher;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code launch.sh demo [velocity] [--cluster N]}: the job every user meets first, and the same on a cluster. Starts
 * PostgreSQL (embedded, unless {@code --connection} names one), then a job ({@link DemoJob}: alert_stateless, or
 * velocity_alerts with {@code velocity}) on a topology ({@link DemoTopology}: one engine, or with {@code --cluster N}
 * a Kafka broker and N engines), the postgres sink and the postgres source, each as its own process; inserts the
 * job's transactions; waits until their alerts are in {@code alert_log}; checks them and prints a summary
 * ({@link DemoRun}); and stops everything it started, also on Ctrl-C. Every engine's web view address is printed as
 * it starts, live while the demo runs; {@code --keep-running} keeps everything up after the check, for a look, until
 * Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Runs a whole pipeline once: transactions in PostgreSQL become alerts in alert_log, checked "
                + "against what they must be. A job runs on one engine or on a cluster:",
                "  demo                       alert_stateless on one engine",
                "  demo velocity              velocity_alerts (stateful) on one engine",
                "  demo velocity --cluster 3  the same on 3 engines and a Kafka broker",
                ""})
final class DemoCommand implements Callable<Integer> {

    @Parameters(arity = "0..1", paramLabel = "JOB", description = "Which job: none for alert_stateless (an alert "
            + "per transaction over 1000 or under -1000), or " + DemoJob.VELOCITY + " for velocity_alerts (an alert "
            + "per account that withdraws over 5000 within 10 s, its state checkpointed; on 4 partition streams, "
            + "8 with --cluster).")
    String job;

    @Spec
    CommandSpec spec;

    @Option(names = "--connection", description = "A PostgreSQL to use instead of the embedded one "
            + "(libpq \"host=... dbname=... user=... password=...\", postgresql:// URI or JDBC URL). "
            + "Its transactions table must not already hold the demo's ids.")
    String connection;

    @Option(names = "--cluster", paramLabel = "ENGINES", description = "Run the job on a cluster of this many "
            + "engines (on free ports) coordinated by a Kafka broker the demo starts, the source split over 8 "
            + "streams (0: one engine, no Kafka).")
    int clusterEngines;

    @Option(names = "--count", description = "How many transactions to insert.")
    int count = 10_000;

    @Option(names = "--timeout", description = "How long to wait for the alerts (and, with --cluster, for the "
            + "engines to share the partitions), e.g. PT2M.")
    Duration timeout = Duration.ofMinutes(2);

    @Option(names = "--home", description = "The Wallaby checkout whose jars are run.")
    Path home = Path.of(".");

    @Option(names = "--source-port", description = "The engine's source port, without --cluster (0 = any free port).")
    int sourcePort = 7100;

    @Option(names = "--sink-port", description = "The engine's sink port, without --cluster (0 = any free port).")
    int sinkPort = 7200;

    @Option(names = "--keep-running", description = "After the check, leave everything the demo started up "
            + "(PostgreSQL, the engines and their web views, the connectors; with --cluster the Kafka broker) "
            + "until Ctrl-C, for a look.")
    boolean keepRunning;

    /** What this run started, stopped once: from the end of {@link #call()} or from Ctrl-C. */
    private DemoTopology topology;
    private EmbeddedDatabase embedded;

    @Override
    public Integer call() throws Exception {
        DemoJob chosen;
        try {
            chosen = DemoJob.named(job);
        } catch (IllegalArgumentException unknown) {
            throw new ParameterException(spec.commandLine(), unknown.getMessage());
        }
        if (clusterEngines < 0) {
            throw new ParameterException(spec.commandLine(), "--cluster takes how many engines to run, 1 or more "
                    + "(leave it out for one engine without Kafka), was " + clusterEngines);
        }
        if (clusterEngines > 0 && (matched("--source-port") || matched("--sink-port"))) {
            throw new ParameterException(spec.commandLine(), "--source-port and --sink-port are the ports of the one "
                    + "engine of a demo without --cluster; the engines of --cluster take free ports: leave them out");
        }
        if (count < 0) {
            throw new ParameterException(spec.commandLine(), "--count must not be negative, was " + count);
        }
        Path logDir = home.resolve(".wallaby/logs").toAbsolutePath();
        topology = clusterEngines > 0 ? new ClusterTopology(home, logDir, clusterEngines, timeout)
                : new StandaloneTopology(home, logDir, sourcePort, sinkPort);
        Thread onCtrlC = new Thread(this::stopEverything, "demo-stop");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            String conn = connection;
            if (conn == null) {
                say("Starting an embedded PostgreSQL...");
                embedded = EmbeddedDatabase.start(0, null);
                conn = embedded.connectionString();
            }
            try (DemoDatabase database = DemoDatabase.open(conn)) {
                return keptRunning(new DemoRun(chosen, topology, count, timeout, logDir).run(database, conn));
            }
        } finally {
            stopEverything();
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is already running.
            }
        }
    }

    private boolean matched(String option) {
        return spec.commandLine().getParseResult() != null && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** With --keep-running, waits for Ctrl-C (whose hook stops everything) after the check; its result otherwise. */
    private int keptRunning(int result) throws InterruptedException {
        if (keepRunning) {
            say("");
            say("--keep-running: everything stays up (" + topology.describe() + (clusterEngines > 0
                    ? ", the Kafka broker" : "") + ", the connectors, PostgreSQL), the web view"
                    + (clusterEngines > 0 ? "s" : "") + " at the address" + (clusterEngines > 0 ? "es" : "")
                    + " above. Ctrl-C stops everything.");
            new CountDownLatch(1).await();
        }
        return result;
    }

    private synchronized void stopEverything() {
        try {
            if (topology != null) {
                topology.close();
            }
            if (embedded != null) {
                embedded.close();
            }
        } catch (Exception e) {
            System.err.println("stopping the demo's processes failed: " + e.getMessage());
        }
    }

    private static void say(String line) {
        System.out.println(line);
    }
}
