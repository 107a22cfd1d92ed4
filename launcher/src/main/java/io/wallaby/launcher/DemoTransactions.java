package io.wallaby.launcher;

import io.wallaby.api.DecodeException;
import io.wallaby.api.Pipeline;
import io.wallaby.api.Settings;
import io.wallaby.apps.AlertStateless;
import io.wallaby.source.generator.AlertsStatelessGenerator;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's input: the alerts_stateless generator's first transactions, and the alerts the engine
 * must make of them (worked out by running the same application in this process, so the demo can say
 * whether alert_log holds exactly what it should).
 */
final class DemoTransactions {

    private final List<TransactionInserter.Transaction> transactions;
    private final List<String> expectedAlerts;

    private DemoTransactions(List<TransactionInserter.Transaction> transactions, List<String> expectedAlerts) {
        this.transactions = transactions;
        this.expectedAlerts = expectedAlerts;
    }

    static DemoTransactions first(int count) throws DecodeException {
        AlertsStatelessGenerator generator = new AlertsStatelessGenerator();
        Pipeline alerts = new AlertStateless().pipeline(Settings.none());
        List<TransactionInserter.Transaction> transactions = new ArrayList<>(count);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            AlertsStatelessGenerator.Transaction t = generator.next();
            transactions.add(new TransactionInserter.Transaction(t.id(), BigDecimal.valueOf(t.amount())));
            for (byte[] alert : alerts.apply(t.toJson().getBytes(StandardCharsets.UTF_8))) {
                expected.add(new String(alert, StandardCharsets.UTF_8));
            }
        }
        return new DemoTransactions(transactions, expected);
    }

    List<String> expectedAlerts() {
        return expectedAlerts;
    }

    /** Inserts the transactions with their generator ids, 500 to a database transaction. */
    void insertInto(Connection connection) throws SQLException {
        TransactionInserter.insert(connection, transactions, 500);
    }
}
