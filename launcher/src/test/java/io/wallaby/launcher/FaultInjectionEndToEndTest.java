package io.wallaby.launcher;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Nothing lost, nothing doubled: while four writers insert transactions, processes are killed with
 * SIGKILL, PostgreSQL is restarted and connectors are replaced by second instances, at random moments.
 * At the end alert_log must hold exactly one alert for every committed transaction over 1000 or under
 * -1000. Connectors replaced by a second instance are stopped with SIGTERM and must drain and exit 0.
 *
 * <p>It runs once per capture mode of the postgres source: logical decoding and the capture table. For
 * PostgreSQL faults include an immediate stop, after which a replication slot may come back at an
 * earlier position.
 *
 * <p>The short version runs in the default test run. The soak runs for {@code WALLABY_SOAK_MINUTES}
 * minutes when that is set. {@code WALLABY_FAULT_SEED} replays a failure: the seed is printed first;
 * {@code WALLABY_FAULT_CAPTURE} ({@code logical} or {@code table}) runs one mode only.
 */
class FaultInjectionEndToEndTest {

    /** How long a SIGTERM'd connector may take to drain before the test calls it stuck. */
    private static final Duration GRACEFUL_STOP = Duration.ofSeconds(40);

    enum Fault {
        KILL_SOURCE, KILL_SINK, KILL_ENGINE, RESTART_ENGINE, RESTART_POSTGRES, CRASH_POSTGRES, REPLACE_SOURCE, REPLACE_SINK
    }

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

    /** Both capture modes, or only {@code WALLABY_FAULT_CAPTURE} when a replay or soak needs one. */
    static List<String> captureModes() {
        String only = System.getenv("WALLABY_FAULT_CAPTURE");
        return only == null ? List.of("logical", "table") : List.of(only);
    }

    @ParameterizedTest(name = "--capture {0}")
    @MethodSource("captureModes")
    void everyCommittedTransactionGivesExactlyOneAlertWhateverDies(String capture) throws Exception {
        long seed = System.getenv("WALLABY_FAULT_SEED") != null
                ? Long.parseLong(System.getenv("WALLABY_FAULT_SEED")) : System.nanoTime();
        System.out.println("fault-injection seed: " + seed + " (replay with WALLABY_FAULT_SEED=" + seed + ")");
        Random random = new Random(seed);
        database = TestDatabase.start();
        pieces = new Pieces(Path.of(".."), Path.of("target/e2e-logs/faults-" + capture), 0, 0);
        String conn = database.connectionString();
        String[] sourceArgs = {"--connection", conn, "--capture", capture};

        PieceProcess engine = pieces.startEngine();
        PieceProcess sink = pieces.startSink("sink-1", "postgres", "--connection", conn);
        PieceProcess source = pieces.startSource("source-1", "postgres", "--connection", conn, "--capture", capture,
                "--create-table");

        List<Fault> faults = schedule(random);
        int started = 1;
        try (TransactionWriters writers = new TransactionWriters(database.jdbcUrl(), 4, seed)) {
            writers.start();
            for (Fault fault : faults) {
                Thread.sleep(500 + random.nextInt(2500));
                started++;
                System.out.println("fault: " + fault + " (" + writers.committedRows() + " rows committed so far)");
                switch (fault) {
                    case KILL_SOURCE -> {
                        source.kill();
                        source = pieces.startSource("source-" + started, "postgres", sourceArgs);
                    }
                    case KILL_SINK -> {
                        sink.kill();
                        sink = pieces.startSink("sink-" + started, "postgres", "--connection", conn);
                    }
                    case KILL_ENGINE -> {
                        engine.kill();
                        engine = pieces.startEngine();
                    }
                    case RESTART_ENGINE -> {
                        assertEquals(0, engine.stop(GRACEFUL_STOP), "an engine stopped with SIGTERM drains and exits 0");
                        engine = pieces.startEngine();
                    }
                    case RESTART_POSTGRES -> database.restart();
                    case CRASH_POSTGRES -> database.crashAndRestart();
                    case REPLACE_SOURCE -> {
                        PieceProcess second = pieces.startSource("source-" + started, "postgres", sourceArgs);
                        Thread.sleep(random.nextInt(1000));
                        assertEquals(0, source.stop(GRACEFUL_STOP), "a source stopped with SIGTERM drains and exits 0");
                        source = second;
                    }
                    case REPLACE_SINK -> {
                        PieceProcess second = pieces.startSink("sink-" + started, "postgres", "--connection", conn);
                        Thread.sleep(random.nextInt(1000));
                        assertEquals(0, sink.stop(GRACEFUL_STOP), "a sink stopped with SIGTERM commits and exits 0");
                        sink = second;
                    }
                }
            }
            Thread.sleep(1000);
            writers.close();
            System.out.println("writers stopped: " + writers.committedRows() + " rows committed, "
                    + writers.failedTransactions() + " transactions failed");
        }

        try (Connection db = database.connect()) {
            List<String> expected = expectedAlerts(db);
            AlertLogAssertions.awaitCount(db, 0, expected.size());
            compare(expected, AlertLogReader.alertsAfter(db, 0, Integer.MAX_VALUE), seed);
        }
    }

    /** The faults to inject: each kind twice in the short run; for the soak, random ones for its duration. */
    private List<Fault> schedule(Random random) {
        List<Fault> faults = new ArrayList<>();
        String soak = System.getenv("WALLABY_SOAK_MINUTES");
        int rounds = soak == null ? 2 : Math.max(2, (int) (Duration.ofMinutes(Long.parseLong(soak)).toSeconds() / 20));
        for (int i = 0; i < rounds; i++) {
            for (Fault fault : Fault.values()) {
                boolean restarts = fault == Fault.RESTART_POSTGRES || fault == Fault.CRASH_POSTGRES;
                if (!restarts || database.canRestart()) {
                    faults.add(fault);
                }
            }
        }
        Collections.shuffle(faults, random);
        return faults;
    }

    /** The alerts every committed transaction must give, computed here independently of the engine. */
    private static List<String> expectedAlerts(Connection db) throws Exception {
        List<String> alerts = new ArrayList<>();
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, amount FROM transactions ORDER BY id")) {
            while (rs.next()) {
                BigDecimal amount = rs.getBigDecimal(2);
                String shown = amount.stripTrailingZeros().toPlainString();
                if (amount.compareTo(BigDecimal.valueOf(1000)) > 0) {
                    alerts.add("Deposit Alert for " + rs.getLong(1) + ": " + shown);
                } else if (amount.compareTo(BigDecimal.valueOf(-1000)) < 0) {
                    alerts.add("Withdrawal Alert for " + rs.getLong(1) + ": " + shown);
                }
            }
        }
        return alerts;
    }

    private static void compare(List<String> expected, List<String> actual, long seed) {
        Map<String, Integer> counts = new HashMap<>();
        actual.forEach(a -> counts.merge(a, 1, Integer::sum));
        List<String> missing = new ArrayList<>();
        for (String e : expected) {
            if (counts.merge(e, -1, Integer::sum) < 0) {
                missing.add(e);
            }
        }
        List<String> extra = new ArrayList<>();
        counts.forEach((alert, left) -> {
            for (int i = 0; i < left; i++) {
                extra.add(alert);
            }
        });
        System.out.printf("expected %d alerts, alert_log holds %d: %d missing, %d duplicate or unexpected%n",
                expected.size(), actual.size(), missing.size(), extra.size());
        if (!missing.isEmpty() || !extra.isEmpty()) {
            fail("seed " + seed + ": " + missing.size() + " alerts missing (first: "
                    + missing.stream().limit(5).toList() + "), " + extra.size()
                    + " duplicate or unexpected (first: " + extra.stream().limit(5).toList() + ")");
        }
    }
}
