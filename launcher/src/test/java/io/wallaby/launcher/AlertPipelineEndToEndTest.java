package io.wallaby.launcher;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The job every user meets first, with every piece as its own OS process: the golden transactions
 * inserted into PostgreSQL come out as exactly the golden alerts in alert_log, in order.
 */
class AlertPipelineEndToEndTest {

    private static TestDatabase database;
    private static Pieces pieces;

    @BeforeAll
    static void startPipeline() throws Exception {
        database = TestDatabase.start();
        pieces = new Pieces(Path.of(".."), Path.of("target/e2e-logs/pipeline"), 0, 0);
        pieces.startEngine();
        pieces.startSink("sink-postgres", "postgres", "--connection", database.connectionString());
        pieces.startSource("source-postgres", "postgres", "--connection", database.connectionString(),
                "--create-table");
    }

    @AfterAll
    static void stopPipeline() throws Exception {
        if (pieces != null) {
            pieces.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void goldenTransactionsBecomeExactlyTheGoldenAlerts() throws Exception {
        List<TransactionInserter.Transaction> transactions = Golden.transactions().stream()
                .map(t -> new TransactionInserter.Transaction(t.id(), new BigDecimal(t.amount()))).toList();
        try (Connection connection = database.connect()) {
            TransactionInserter.insert(connection, transactions, 500);
            List<String> expected = Golden.alerts();
            assertEquals(1992, expected.size());
            AlertLogAssertions.awaitCount(connection, 0, expected.size());
            assertEquals(expected, AlertLogReader.alertsAfter(connection, 0, Integer.MAX_VALUE));
        }
    }
}
