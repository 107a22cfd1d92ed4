package io.wallaby.launcher;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job every user meets first, with every piece as its own OS process: the golden transactions
 * inserted into PostgreSQL come out as exactly the golden alerts in alert_log, in order.
 */
class AlertPipelineEndToEndTest {

    private static TestDatabase database;
    private static Pieces pieces;
    private static int adminPort;

    @BeforeAll
    static void startPipeline() throws Exception {
        database = TestDatabase.start();
        pieces = new Pieces(Path.of(".."), Path.of("target/e2e-logs/pipeline"), 0, 0);
        adminPort = Pieces.freePort();
        pieces.startEngine("--admin-port", Integer.toString(adminPort));
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
            AlertLogAssertions.awaitCountAndAcknowledged(connection, 0, expected.size(), new EngineStatus(adminPort),
                    List.of("transactions"));
            assertEquals(expected, AlertLogReader.alertsAfter(connection, 0, Integer.MAX_VALUE));
        }
        // launch.sh status shows the logical capture (the embedded server has wal_level=logical): its slot,
        // and the last acknowledged id recorded: all 10,000.
        String status = statusWithCaptureLag();
        assertTrue(status.contains("Logical replication slots"), status);
        assertTrue(status.matches(ACKNOWLEDGED_ALL), status);
    }

    private static final String ACKNOWLEDGED_ALL = "(?s).*wallaby_transactions\\s+transactions\\s+yes.*\\s10000\\s.*";

    private static String statusWithCaptureLag() throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        String printed;
        do { // the source records acknowledgements within ~50 ms of the ACK; allow for a slow machine
            StatusCommand command = new StatusCommand();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
            assertEquals(0, new CommandLine(command).execute("--admin", "http://127.0.0.1:" + adminPort + "/",
                    "--connection", database.connectionString()));
            printed = out.toString(StandardCharsets.UTF_8);
            Thread.sleep(200);
        } while (!printed.matches(ACKNOWLEDGED_ALL) && System.nanoTime() < deadline);
        return printed;
    }
}
