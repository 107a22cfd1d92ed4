package io.wallaby.launcher;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code launch.sh demo velocity}: the stateful job. The postgres source splits {@code transactions} by account
 * over {@value #PARTITIONS} streams, the engine runs velocity_alerts on them (windows of 10 s, an alert when an
 * account withdraws more than 5000 in one) with its state in checkpoints, and the postgres sink writes the
 * alerts into alert_log. The demo inserts transactions with accounts and event times, then one row per
 * partition far ahead in time that closes every window, and checks alert_log against what SQL over
 * {@code transactions} says it must hold ({@link VelocityExpectation}).
 */
final class VelocityDemo {

    static final int PARTITIONS = 4;
    /** The first row's event time: fixed, so every run shows the same alerts. */
    static final Instant START = Instant.parse("2026-12-01T18:00:00Z");
    private static final long SEED = 20261201L;
    private static final VelocitySettings SETTINGS = VelocitySettings.DEMO;

    private final Pieces pieces;
    private final Path home;
    private final int count;
    private final Duration timeout;

    VelocityDemo(Pieces pieces, Path home, int count, Duration timeout) {
        this.pieces = pieces;
        this.home = home;
        this.count = count;
        this.timeout = timeout;
    }

    int run(DemoDatabase database, String conn, Path logDir) throws Exception {
        Connection db = database.connection();
        say("PostgreSQL: " + database.describe());
        long alertsBefore = AlertLogReader.lastRowId(db);
        // The logical capture routes deletes by the old row, so it needs the account in the replica identity.
        database.createTransactionsTable();
        long idsBefore = database.lastTransactionId();
        List<TransactionInserter.AccountTransaction> rows = VelocityTransactions.generate(count, START, SEED);
        Instant flushAt = (rows.isEmpty() ? START : rows.get(rows.size() - 1).createdAt()).plus(Duration.ofHours(1));

        Path stateDir = DemoFolders.fresh(home, ".wallaby/velocity-state");
        int adminPort = Pieces.freePort();
        int sourceAdminPort = Pieces.freePort();
        say("Starting the engine (velocity_alerts: windows of " + SETTINGS.window().toSeconds() + " s, threshold "
                + SETTINGS.threshold() + ", lateness " + SETTINGS.lateness().toSeconds() + " s; state in " + stateDir
                + "), the postgres sink and the postgres source (" + PARTITIONS + " partitions by account)...");
        List<String> engineArgs = new ArrayList<>(SETTINGS.engineArgs());
        engineArgs.addAll(List.of("--state-dir", stateDir.toString(), "--admin-port", Integer.toString(adminPort),
                "--source-admin", "http://127.0.0.1:" + sourceAdminPort));
        pieces.startEngine(engineArgs.toArray(String[]::new));
        DemoCommand.sayWebView(adminPort);
        pieces.startSink("sink-postgres", "postgres", "--connection", conn);
        // --snapshot never: rows already in the table (another demo's, say) are not this run's to check.
        pieces.startSource("source-postgres", "postgres", "--connection", conn, "--partitions",
                Integer.toString(PARTITIONS), "--partition-by", "account", "--snapshot", "never",
                "--admin-port", Integer.toString(sourceAdminPort));

        long started = System.nanoTime();
        say("Inserting " + count + " transactions for accounts 1.." + VelocityTransactions.ACCOUNTS + ", created "
                + VelocityTransactions.STEP.toMillis() + " ms apart from " + START + ", then one row per partition at "
                + flushAt + " that closes every window...");
        TransactionInserter.insertWithAccounts(db, rows, 500);
        TransactionInserter.insertWithAccounts(db, WindowFlush.rows(PARTITIONS, flushAt), 500);
        List<String> expected = VelocityExpectation.alerts(db, SETTINGS, idsBefore, flushAt);
        say(String.format("Inserted in %.1f s. Waiting for the %d alerts SQL expects in alert_log...",
                seconds(started), expected.size()));

        DemoCommand.awaitAlerts(db, alertsBefore, expected.size(), timeout, logDir);
        List<String> streams = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            streams.add("transactions." + p);
        }
        // Nothing more is on its way once every stream acknowledged all it saw: then alert_log is final.
        new EngineStatus(adminPort).awaitAcknowledged(streams, timeout);
        double totalSeconds = seconds(started);
        List<String> written = AlertLogReader.alertsAfter(db, alertsBefore, Integer.MAX_VALUE);
        AlertDifference difference = AlertDifference.of(expected, written);
        say("");
        say(String.format("%d transactions on %d streams -> %d velocity alerts in alert_log in %.1f s (%s).", count,
                PARTITIONS, written.size(), totalSeconds, difference.none()
                        ? "exactly the alerts SQL over transactions expects, none missing, none twice"
                        : "NOT the expected alerts: " + difference.describe()));
        say("Some of them:");
        written.stream().limit(10).forEach(a -> say("  " + a));
        say("Logs of every process: " + logDir);
        return difference.none() ? 0 : 1;
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private static void say(String line) {
        System.out.println(line);
    }
}
