package io.wallaby.launcher;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code launch.sh demo}: the job every user meets first. Starts PostgreSQL (embedded, unless
 * {@code --connection} names one), the engine running alert_stateless, the postgres sink and the
 * postgres source, each as its own process; inserts the generator's first transactions; waits until
 * their alerts are in {@code alert_log}; prints a summary; and stops everything it started, also on
 * Ctrl-C. {@code launch.sh demo velocity} runs the stateful job instead ({@link VelocityDemo}), {@code launch.sh demo
 * --cluster 3} the alert pipeline on three engines coordinated by Kafka ({@link ClusterDemo}). The demos print the
 * address of each engine's web view, live while they run; {@code --keep-running} keeps the pipeline up after the
 * check, for a look, until Ctrl-C (not with {@code --cluster} yet).
 */
@Command(name = "demo", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Runs the whole pipeline once: transactions in PostgreSQL become alerts in alert_log.")
final class DemoCommand implements Callable<Integer> {

    static final String VELOCITY = "velocity";

    @Parameters(arity = "0..1", paramLabel = "JOB", description = "Which job: none for alert_stateless (an alert "
            + "per transaction over 1000), or " + VELOCITY + " for velocity_alerts (an alert per account that "
            + "withdraws over 5000 within 10 s, on 4 partition streams, its state checkpointed).")
    String job;

    @Spec
    CommandSpec spec;

    @Option(names = "--connection", description = "A PostgreSQL to use instead of the embedded one "
            + "(libpq \"host=... dbname=... user=... password=...\", postgresql:// URI or JDBC URL). "
            + "Its transactions table must not already hold the demo's ids.")
    String connection;

    @Option(names = "--cluster", paramLabel = "ENGINES", description = "Run alert_stateless on a cluster of this "
            + "many engines coordinated by a Kafka broker the demo starts (0: one standalone engine).")
    int clusterEngines;

    @Option(names = "--count", description = "How many transactions to insert.")
    int count = 10_000;

    @Option(names = "--timeout", description = "How long to wait for the alerts, e.g. PT2M.")
    Duration timeout = Duration.ofMinutes(2);

    @Option(names = "--home", description = "The Wallaby checkout whose jars are run.")
    Path home = Path.of(".");

    @Option(names = "--source-port", description = "The engine's source port (0 = any free port).")
    int sourcePort = 7100;

    @Option(names = "--sink-port", description = "The engine's sink port (0 = any free port).")
    int sinkPort = 7200;

    @Option(names = "--keep-running", description = "After the check, leave the pipeline (and its web view) up "
            + "until Ctrl-C, for a look.")
    boolean keepRunning;

    /** What this run started, stopped once: from the end of {@link #call()} or from Ctrl-C. */
    private Pieces pieces;
    private EmbeddedDatabase embedded;

    @Override
    public Integer call() throws Exception {
        if (job != null && !job.equals(VELOCITY)) {
            throw new ParameterException(spec.commandLine(), "unknown job '" + job + "': the demo runs "
                    + "alert_stateless (launch.sh demo) or velocity_alerts (launch.sh demo " + VELOCITY + ")");
        }
        if (clusterEngines < 0 || (clusterEngines > 0 && job != null)) {
            throw new ParameterException(spec.commandLine(), "--cluster takes a number of engines (1 or more) and "
                    + "runs alert_stateless; velocity_alerts does not run in a cluster yet, was " + clusterEngines);
        }
        if (keepRunning && clusterEngines > 0) {
            throw new ParameterException(spec.commandLine(), "--keep-running does not go with --cluster yet: the "
                    + "cluster demo stops its engines and the Kafka broker as soon as it has checked the alerts");
        }
        if (count < 0) {
            throw new ParameterException(spec.commandLine(), "--count must not be negative, was " + count);
        }
        Path logDir = home.resolve(".wallaby/logs").toAbsolutePath();
        pieces = new Pieces(home, logDir, sourcePort, sinkPort);
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
                if (clusterEngines > 0) {
                    return new ClusterDemo(pieces, home, clusterEngines, count, timeout).run(database, conn, logDir);
                }
                return keptRunning(job == null ? run(database, conn, logDir)
                        : new VelocityDemo(pieces, home, count, timeout).run(database, conn, logDir));
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

    private int run(DemoDatabase database, String conn, Path logDir) throws Exception {
        say("PostgreSQL: " + database.describe());
        long alertsBefore = AlertLogReader.lastRowId(database.connection());
        DemoTransactions transactions = DemoTransactions.first(count);

        say("Starting the engine (alert_stateless), the postgres sink and the postgres source...");
        int adminPort = Pieces.freePort();
        int sourceAdminPort = Pieces.freePort();
        pieces.startEngine("--admin-port", Integer.toString(adminPort), "--source-admin",
                "http://127.0.0.1:" + sourceAdminPort);
        sayWebView(adminPort);
        pieces.startSink("sink-postgres", "postgres", "--connection", conn);
        PieceProcess source = pieces.startSource("source-postgres", "postgres", "--connection", conn, "--create-table",
                "--admin-port", Integer.toString(sourceAdminPort));
        say("The source captures " + captureMode(source));

        long started = System.nanoTime();
        say("Inserting " + count + " transactions into transactions...");
        transactions.insertInto(database.connection());
        say(String.format("Inserted in %.1f s. Waiting for %d alerts in alert_log...",
                seconds(started), transactions.expectedAlerts().size()));

        long got = awaitAlerts(database.connection(), alertsBefore, transactions.expectedAlerts().size(), timeout,
                logDir);
        double totalSeconds = seconds(started);
        List<String> written = AlertLogReader.alertsAfter(database.connection(), alertsBefore, Integer.MAX_VALUE);
        boolean exact = written.equals(transactions.expectedAlerts());
        say("");
        say(String.format("%d transactions -> %d alerts in alert_log in %.1f s (%s).", count, got,
                totalSeconds, exact ? "exactly the expected alerts, in order" : "NOT the expected alerts"));
        say("First alerts:");
        written.stream().limit(10).forEach(a -> say("  " + a));
        say("Logs of every process: " + logDir);
        return exact ? 0 : 1;
    }

    /** What the source's "ready" line says of its capture mode, for a newcomer who wonders how rows get out. */
    private static String captureMode(PieceProcess source) {
        boolean logical = source.lines().stream().anyMatch(line -> line.contains("(logical capture)"));
        return logical
                ? "through logical decoding: a replication slot (wallaby_transactions) read with pgoutput, nothing "
                        + "written per row; ./launch.sh status --connection shows the slot"
                : "through the capture table (a trigger copies each row into wallaby.changes): the server's "
                        + "wal_level is not logical or the role may not replicate, see the source's log";
    }

    /** The address of the engine's web view, said as soon as the engine is up: it is live from then on. */
    static void sayWebView(int adminPort) {
        say("Web view: http://127.0.0.1:" + adminPort + "/ (the pipeline and its curves, live while the demo runs)");
    }

    /** With --keep-running, waits for Ctrl-C (whose hook stops everything) after the check; its result otherwise. */
    private int keptRunning(int result) throws InterruptedException {
        if (keepRunning) {
            say("");
            say("--keep-running: the pipeline stays up, its web view at the address above. Ctrl-C stops everything.");
            new CountDownLatch(1).await();
        }
        return result;
    }

    private synchronized void stopEverything() {
        try {
            if (pieces != null) {
                pieces.close();
            }
            if (embedded != null) {
                embedded.close();
            }
        } catch (Exception e) {
            System.err.println("stopping the demo's processes failed: " + e.getMessage());
        }
    }

    /** Waits until alert_log holds {@code expected} rows after row {@code after}, saying how many every 5 s. */
    static long awaitAlerts(Connection connection, long after, int expected, Duration timeout, Path logDir)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long got = 0;
        long lastReport = System.nanoTime();
        while (System.nanoTime() < deadline) {
            got = AlertLogReader.countAfter(connection, after);
            if (got >= expected) {
                return got;
            }
            if (System.nanoTime() - lastReport > 5_000_000_000L) {
                say("  " + got + " of " + expected + " alerts so far...");
                lastReport = System.nanoTime();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("only " + got + " of " + expected + " alerts reached alert_log within "
                + timeout + "; see the logs in " + logDir);
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private static void say(String line) {
        System.out.println(line);
    }
}
