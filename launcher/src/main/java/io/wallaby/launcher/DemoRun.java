package io.wallaby.launcher;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of the demo: a job ({@link DemoJob}) on a topology ({@link DemoTopology}), whichever of each. It starts the
 * engines, the postgres sink and the postgres source, inserts the job's rows, waits until alert_log holds as many
 * alerts as expected and every stream has acknowledged all it saw, checks alert_log against the expectation (none
 * missing, none twice, and in order where one stream keeps the order) and prints a summary. It stops nothing: the
 * topology does, when the caller closes it.
 */
final class DemoRun {

    private final DemoJob job;
    private final DemoTopology topology;
    private final int count;
    private final Duration timeout;
    private final Path logDir;

    DemoRun(DemoJob job, DemoTopology topology, int count, Duration timeout, Path logDir) {
        this.job = job;
        this.topology = topology;
        this.count = count;
        this.timeout = timeout;
        this.logDir = logDir;
    }

    /** Runs the demo against {@code database} ({@code conn} for the connectors); 0 when alert_log is exact, else 1. */
    int run(DemoDatabase database, String conn) throws Exception {
        Connection db = database.connection();
        say("PostgreSQL: " + database.describe());
        long alertsBefore = AlertLogReader.lastRowId(db);
        int streams = topology.streams(job);
        if (streams > 1) {
            // Rows reach the table before the source is up, and the logical capture routes deletes by the old row,
            // so the account must be in the replica identity.
            database.createTransactionsTable();
        }

        int sourceAdminPort = Pieces.freePort();
        topology.startEngines(job, "http://127.0.0.1:" + sourceAdminPort);
        Pieces pieces = topology.pieces();
        say("Starting the postgres sink and the postgres source (" + (streams == 1 ? "one stream"
                : streams + " streams by account") + ")...");
        pieces.startSinkTo("sink-postgres", topology.sinkAddresses(), "postgres", "--connection", conn);
        List<String> sourceArgs = new ArrayList<>(List.of("--connection", conn, "--admin-port",
                Integer.toString(sourceAdminPort)));
        sourceArgs.addAll(DemoStreams.sourceArgs(streams));
        PieceProcess source = pieces.startSourceTo("source-postgres", topology.sourceAddresses(), "postgres",
                sourceArgs.toArray(String[]::new));
        say("The source captures " + captureMode(source, streams));

        long started = System.nanoTime();
        DemoJob.Expectation expected = job.insert(database, streams, count);
        say(String.format("Inserted in %.1f s. Waiting for the %d alerts %s in alert_log...", seconds(started),
                expected.alerts().size(), expected.by()));
        awaitAlerts(db, alertsBefore, expected.alerts().size());
        topology.awaitAcknowledged(expected.streams(), timeout);
        double totalSeconds = seconds(started);

        List<String> written = AlertLogReader.alertsAfter(db, alertsBefore, Integer.MAX_VALUE);
        AlertDifference difference = AlertDifference.of(expected.alerts(), written);
        boolean inOrder = !expected.inOrder() || written.equals(expected.alerts());
        String verdict = !difference.none() ? "NOT the expected alerts: " + difference.describe()
                : !inOrder ? "the expected alerts, but NOT in the order of their transactions"
                : "exactly the alerts " + expected.by() + ", none missing, none twice"
                        + (expected.inOrder() ? ", in order" : "");
        say("");
        say(String.format("%d transactions, %d stream%s, %s -> %d %s in alert_log in %.1f s (%s).", count, streams,
                streams == 1 ? "" : "s", topology.describe(), written.size(), job.alertsName(), totalSeconds,
                verdict));
        say(expected.inOrder() ? "First alerts:" : "Some of them:");
        written.stream().limit(10).forEach(a -> say("  " + a));
        topology.report();
        say("Logs of every process: " + logDir);
        return difference.none() && inOrder ? 0 : 1;
    }

    /** What the source's "ready" line says of its capture mode, for a newcomer who wonders how rows get out. */
    private static String captureMode(PieceProcess source, int streams) {
        boolean logical = source.lines().stream().anyMatch(line -> line.contains("(logical capture)"));
        if (!logical) {
            return "through the capture table (a trigger copies each row into wallaby.changes): the server's "
                    + "wal_level is not logical or the role may not replicate, see the source's log";
        }
        return streams == 1
                ? "through logical decoding: a replication slot (wallaby_transactions) read with pgoutput, nothing "
                        + "written per row; ./launch.sh status --connection shows the slot"
                : "through logical decoding: a replication slot per stream, read with pgoutput, nothing written per "
                        + "row";
    }

    /** Waits until alert_log holds {@code expected} rows after row {@code after}, saying how many every 5 s. */
    private void awaitAlerts(Connection connection, long after, int expected) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long got = 0;
        long lastReport = System.nanoTime();
        while (System.nanoTime() < deadline) {
            got = AlertLogReader.countAfter(connection, after);
            if (got >= expected) {
                return;
            }
            if (System.nanoTime() - lastReport > 5_000_000_000L) {
                say("  " + got + " of " + expected + " alerts so far...");
                lastReport = System.nanoTime();
            }
            Thread.sleep(100); // polling alert_log for a condition
        }
        throw new IllegalStateException("only " + got + " of " + expected + " alerts reached alert_log within "
                + timeout + " (--timeout); see the logs in " + logDir);
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private static void say(String line) {
        System.out.println(line);
    }
}
