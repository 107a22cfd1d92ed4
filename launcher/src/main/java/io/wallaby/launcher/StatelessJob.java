package io.wallaby.launcher;

import java.util.List;

/**
 * The first job: alert_stateless, an alert per transaction over 1000 or under -1000. On one stream it inserts the
 * generator's first transactions, whose alerts it works out by running the application in this process, and
 * alert_log must hold them in order; split over several streams (a cluster) it inserts transactions with accounts
 * to split by ({@link VelocityTransactions}), whose alerts SQL over {@code transactions} works out.
 */
final class StatelessJob implements DemoJob {

    private static final long SEED = 20261202L;

    @Override
    public String describe() {
        return "alert_stateless";
    }

    @Override
    public List<String> engineArgs() {
        return List.of("--application", "alert_stateless");
    }

    @Override
    public String stateDir() {
        return null;
    }

    @Override
    public int streamsAlone() {
        return 1;
    }

    @Override
    public String alertsName() {
        return "alerts";
    }

    @Override
    public Expectation insert(DemoDatabase database, int streams, int count) throws Exception {
        if (streams == 1) {
            DemoTransactions transactions = DemoTransactions.first(count);
            say("Inserting " + count + " transactions into transactions...");
            transactions.insertInto(database.connection());
            return new Expectation(transactions.expectedAlerts(), true, "alert_stateless gives for them",
                    count == 0 ? List.of() : DemoStreams.names(1));
        }
        long idsBefore = database.lastTransactionId();
        List<TransactionInserter.AccountTransaction> rows =
                VelocityTransactions.generate(count, VelocityTransactions.DEMO_START, SEED);
        say("Inserting " + count + " transactions for accounts 1.." + VelocityTransactions.ACCOUNTS + "...");
        TransactionInserter.insertWithAccounts(database.connection(), rows, 500);
        return new Expectation(StatelessExpectation.alerts(database.connection(), idsBefore), false,
                "SQL over transactions expects", DemoStreams.carrying(rows, streams));
    }

    private static void say(String line) {
        System.out.println(line);
    }
}
