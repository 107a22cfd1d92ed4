package io.wallaby.launcher;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The stateful job: velocity_alerts ({@link VelocitySettings#DEMO}: windows of 10 s, an alert when an account
 * withdraws more than 5000 in one, 5 s of lateness), its windows' sums in checkpoints. It inserts transactions with
 * accounts and event times, then one row per stream far ahead in time that closes every window ({@link WindowFlush}),
 * and alert_log must hold what SQL over {@code transactions} says ({@link VelocityExpectation}).
 */
final class VelocityJob implements DemoJob {

    private static final long SEED = 20261201L;
    private static final VelocitySettings SETTINGS = VelocitySettings.DEMO;

    @Override
    public String describe() {
        return "velocity_alerts: windows of " + SETTINGS.window().toSeconds() + " s, threshold " + SETTINGS.threshold()
                + ", lateness " + SETTINGS.lateness().toSeconds() + " s";
    }

    @Override
    public List<String> engineArgs() {
        return SETTINGS.engineArgs();
    }

    @Override
    public String stateDir() {
        return ".wallaby/velocity-state";
    }

    @Override
    public int streamsAlone() {
        return 4;
    }

    @Override
    public String alertsName() {
        return "velocity alerts";
    }

    @Override
    public Expectation insert(DemoDatabase database, int streams, int count) throws Exception {
        long idsBefore = database.lastTransactionId();
        Instant start = VelocityTransactions.DEMO_START;
        List<TransactionInserter.AccountTransaction> rows = VelocityTransactions.generate(count, start, SEED);
        Instant flushAt = (rows.isEmpty() ? start : rows.get(rows.size() - 1).createdAt()).plus(Duration.ofHours(1));
        say("Inserting " + count + " transactions for accounts 1.." + VelocityTransactions.ACCOUNTS + ", created "
                + VelocityTransactions.STEP.toMillis() + " ms apart from " + start + ", then one row per stream at "
                + flushAt + " that closes every window...");
        TransactionInserter.insertWithAccounts(database.connection(), rows, 500);
        TransactionInserter.insertWithAccounts(database.connection(), WindowFlush.rows(streams, flushAt), 500);
        // Every stream carries a flush row, so every stream has something to acknowledge.
        return new Expectation(VelocityExpectation.alerts(database.connection(), SETTINGS, idsBefore, flushAt), false,
                "SQL over transactions expects", DemoStreams.names(streams));
    }

    private static void say(String line) {
        System.out.println(line);
    }
}
