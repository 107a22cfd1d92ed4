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
        int sourceAdminPort = Pieces.freePort();
        List<String> engineArgs = new ArrayList<>(SETTINGS.engineArgs());
        engineArgs.addAll(List.of("--state-dir", stateDir.toString(), "--admin-port", Integer.toString(adminPort),
                "--source-admin", "http://127.0.0.1:" + sourceAdminPort));
        pieces.startEngine(engineArgs.toArray(String[]::new));
        pieces.startSink("sink-postgres", "postgres", "--connection", database.connectionString());
        List<String> sourceArgs = new ArrayList<>(List.of("--connection", database.connectionString(),
                "--capture", capture, "--partitions", Integer.toString(PARTITIONS), "--partition-by", "account",
                "--admin-port", Integer.toString(sourceAdminPort)));
        if (capture.equals("logical")) {
            // No snapshot: the rows below are only captured if the source said ready once every partition's slot
            // existed, and the launcher waited for that line.
            sourceArgs.addAll(List.of("--snapshot", "never"));
        }
        pieces.startSource("source-postgres", "postgres", sourceArgs.toArray(String[]::new));

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
            assertSourceAdminFigures(engine, capture);
        }
    }

    /**
     * The engine's /status has the source admin port's figures of every partition stream, each with its own slot in
     * the logical capture, and the largest slot lag of them as the source's overall figure.
     */
    private static void assertSourceAdminFigures(EngineStatus engine, String capture) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode admin = engine.read().path("sourceAdmins").path(0);
        while (!(admin.path("reachable").asBoolean() && admin.path("streams").size() == PARTITIONS
                && (capture.equals("table") || allSlotLagsKnown(admin))) && System.nanoTime() < deadline) {
            Thread.sleep(100); // the engine reads the source's /metrics once a second
            admin = engine.read().path("sourceAdmins").path(0);
        }
        assertTrue(admin.path("reachable").asBoolean(), admin.toString());
        assertEquals(streams(), admin.path("streams").findValuesAsText("stream"), admin.toString());
        double max = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            JsonNode stream = admin.path("streams").path(p);
            if (capture.equals("logical")) {
                assertEquals("wallaby_transactions_" + p, stream.path("slot").asText(), admin.toString());
                max = Math.max(max, stream.path("slotLagBytes").asDouble());
            } else {
                assertTrue(stream.path("slot").isNull() && stream.path("slotLagBytes").isNull(), admin.toString());
            }
        }
        if (capture.equals("logical")) {
            assertEquals(max, admin.path("maxSlotLagBytes").asDouble(), admin.toString());
        } else {
            assertTrue(admin.path("maxSlotLagBytes").isNull(), admin.toString());
        }
    }

    private static boolean allSlotLagsKnown(JsonNode admin) {
        for (JsonNode stream : admin.path("streams")) {
            if (!stream.path("slotLagBytes").isNumber()) {
                return false;
            }
        }
        return true;
    }

    private static List<String> streams() {
        List<String> streams = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            streams.add("transactions." + p);
        }
        return streams;
    }
}
