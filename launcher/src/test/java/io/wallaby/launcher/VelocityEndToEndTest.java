package io.wallaby.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stateful job with every piece as its own OS process: transactions with accounts and event times, split
 * by account over four partition streams by the postgres source, become in alert_log exactly the velocity
 * alerts that SQL over {@code transactions} says they must (none missing, none twice), once one row per
 * partition far ahead in time has closed every window. Once per capture mode of the source.
 */
class VelocityEndToEndTest {

    private static final int PARTITIONS = 4;
    private static final int ROWS = 4000;
    private static final Instant START = Instant.parse("2026-12-01T18:00:00Z");
    private static final VelocitySettings SETTINGS = VelocitySettings.DEMO;

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

    @ParameterizedTest(name = "--capture {0}")
    @ValueSource(strings = {"table", "logical"})
    void closedWindowsOverTheThresholdGiveExactlyTheirAlerts(String capture, @TempDir Path stateDir) throws Exception {
        database = TestDatabase.start();
        try (DemoDatabase demo = DemoDatabase.open(database.connectionString())) {
            demo.createTransactionsTable(); // with the account in the replica identity, as the logical capture needs
        }
        pieces = new Pieces(Path.of(".."), Path.of("target/e2e-logs/velocity-" + capture), 0, 0);
        int adminPort = Pieces.freePort();
        List<String> engineArgs = new ArrayList<>(SETTINGS.engineArgs());
        engineArgs.addAll(List.of("--state-dir", stateDir.toString(), "--admin-port", Integer.toString(adminPort)));
        pieces.startEngine(engineArgs.toArray(String[]::new));
        pieces.startSink("sink-postgres", "postgres", "--connection", database.connectionString());
        pieces.startSource("source-postgres", "postgres", "--connection", database.connectionString(),
                "--capture", capture, "--partitions", Integer.toString(PARTITIONS), "--partition-by", "account");

        List<TransactionInserter.AccountTransaction> rows = VelocityTransactions.generate(ROWS, START, 7);
        Instant flushAt = rows.get(rows.size() - 1).createdAt().plus(Duration.ofHours(1));
        try (Connection db = database.connect()) {
            // In event-time order, so no row is late on its partition.
            TransactionInserter.insertWithAccounts(db, rows, 200);
            TransactionInserter.insertWithAccounts(db, WindowFlush.rows(PARTITIONS, flushAt), 200);
            List<String> expected = VelocityExpectation.alerts(db, SETTINGS, 0, flushAt);
            assertTrue(expected.size() > 100, "the rows must make a good number of windows alert, made "
                    + expected.size());

            EngineStatus engine = new EngineStatus(adminPort);
            AlertLogAssertions.awaitCountAndAcknowledged(db, 0, expected.size(), engine, streams());
            AlertDifference difference = AlertDifference.of(expected, AlertLogReader.alertsAfter(db, 0, Integer.MAX_VALUE));
            System.out.println("velocity --capture " + capture + ": " + difference.describe());
            assertTrue(difference.none(), difference.describe());

            JsonNode status = engine.read();
            assertEquals(0, status.path("deadLetters").path("count").asLong(), "no row was late or lacked a field");
            assertEquals(PARTITIONS, status.path("sourceStreams").size(), status.toString());
        }
    }

    private static List<String> streams() {
        List<String> streams = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            streams.add("transactions." + p);
        }
        return streams;
    }
}
