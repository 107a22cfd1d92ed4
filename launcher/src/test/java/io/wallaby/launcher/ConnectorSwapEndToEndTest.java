package io.wallaby.launcher;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Connectors come and go while the engine keeps running, and nothing produced while a sink was away
 * is missing from the sink that follows.
 */
class ConnectorSwapEndToEndTest {

    private TestDatabase database;
    private Pieces pieces;

    @AfterEach
    void stop() throws Exception {
        if (pieces != null) {
            pieces.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void swapSourceAndSinkConnectorsWhileTheEngineRuns() throws Exception {
        database = TestDatabase.start();
        pieces = new Pieces(Path.of(".."), Path.of("target/e2e-logs/swap"), 0, 0);
        String conn = database.connectionString();
        List<TransactionInserter.Transaction> golden = Golden.transactions().stream()
                .map(t -> new TransactionInserter.Transaction(t.id(), new BigDecimal(t.amount()))).toList();

        int adminPort = Pieces.freePort();
        PieceProcess engine = pieces.startEngine("--admin-port", Integer.toString(adminPort));
        EngineStatus status = new EngineStatus(adminPort);
        try (Connection db = database.connect()) {
            // 1. The postgres source and sink carry the first half of the golden transactions.
            PieceProcess postgresSink = pieces.startSink("sink-postgres-1", "postgres", "--connection", conn);
            PieceProcess postgresSource = pieces.startSource("source-postgres-1", "postgres", "--connection", conn,
                    "--create-table");
            TransactionInserter.insert(db, golden.subList(0, 5000), 250);
            List<String> firstHalf = Golden.alertsForIds(0, 5000);
            AlertLogAssertions.awaitCountAndAcknowledged(db, 0, firstHalf.size(), status, List.of("transactions"));
            assertEquals(firstHalf, AlertLogReader.alertsAfter(db, 0, Integer.MAX_VALUE));

            // 2. Swap the source for the generator, with no sink connected: its alerts wait in the engine.
            postgresSource.stop();
            postgresSink.stop();
            PieceProcess generator = pieces.startSource("source-generator", "generator", "--count", "10000");

            // 3. A stdout sink connects and receives every alert the generator caused, in order.
            PieceProcess stdoutSink = pieces.startSink("sink-stdout", "stdout");
            awaitLines(stdoutSink, 1992);
            assertEquals(Golden.alerts(), stdoutSink.lines());
            assertEquals(0, generator.awaitExit(Duration.ofSeconds(60)),
                    "the generator exits 0 once the engine acknowledged everything it sent");
            stdoutSink.stop();

            // 4. The postgres source comes back; the second half is inserted while no sink is connected.
            pieces.startSource("source-postgres-2", "postgres", "--connection", conn);
            TransactionInserter.insert(db, golden.subList(5000, golden.size()), 250);

            // 5. The postgres sink returns and receives everything produced while it was away.
            pieces.startSink("sink-postgres-2", "postgres", "--connection", conn);
            AlertLogAssertions.awaitCountAndAcknowledged(db, 0, Golden.alerts().size(), status,
                    List.of("transactions"));
            assertEquals(Golden.alerts(), AlertLogReader.alertsAfter(db, 0, Integer.MAX_VALUE));
            assertEquals(true, engine.isAlive(), "the engine ran throughout");
        }
    }

    private static void awaitLines(PieceProcess process, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + AlertLogAssertions.TIMEOUT.toNanos();
        while (process.lines().size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(500);
        assertEquals(expected, process.lines().size(), process.name() + " printed " + process.lines().size()
                + " of " + expected + " alerts; see " + process.log());
    }
}
