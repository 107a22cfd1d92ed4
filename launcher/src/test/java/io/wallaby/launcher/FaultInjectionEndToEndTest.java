package io.wallaby.launcher;

import io.wallaby.launcher.FaultInjector.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Nothing lost, nothing doubled: while writers insert transactions, processes are killed with SIGKILL,
 * PostgreSQL is restarted and connectors are replaced by second instances, at random moments
 * ({@link FaultInjector}). Connectors replaced by a second instance are stopped with SIGTERM and must drain
 * and exit 0.
 * <ul>
 *   <li>alert_stateless: at the end alert_log must hold exactly one alert for every committed transaction
 *       over 1000 or under -1000. Each kind of fault twice.</li>
 *   <li>velocity_alerts, on a source partitioned by account over three streams, the engine keeping its
 *       {@code --state-dir} across its own restarts: once the writers stop and a row per partition closes
 *       every window, alert_log must hold exactly the alerts SQL over {@code transactions} expects (none
 *       missing, none twice, no wrong sum). Each kind of fault once, to keep the default run short.</li>
 * </ul>
 *
 * <p>Each runs once per capture mode of the postgres source: logical decoding and the capture table. For
 * PostgreSQL faults include an immediate stop, after which a replication slot may come back at an
 * earlier position.
 *
 * <p>The soak runs for {@code WALLABY_SOAK_MINUTES} minutes (each run) when that is set. {@code WALLABY_FAULT_SEED}
 * replays a failure: the seed is printed first; {@code WALLABY_FAULT_CAPTURE} ({@code logical} or {@code table})
 * runs one mode only, {@code WALLABY_FAULT_APPLICATION} ({@code alert_stateless} or {@code velocity_alerts}) one
 * application only.
 */
class FaultInjectionEndToEndTest {

    private static final int VELOCITY_PARTITIONS = 3;
    private static final long VELOCITY_ACCOUNTS = 40;
    private static final VelocitySettings VELOCITY = VelocitySettings.DEMO;
    /** Velocity alerts with the sum left out: the same account and window with another sum is a wrong sum. */
    private static final Pattern WINDOW_OF_ALERT = Pattern.compile("(Velocity Alert for account \\d+): \\S+ (withdrawn in .*)");

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

    private static void assumeApplication(String application) {
        String only = System.getenv("WALLABY_FAULT_APPLICATION");
        assumeTrue(only == null || only.equals(application), "WALLABY_FAULT_APPLICATION=" + only);
    }

    private static long seed() {
        long seed = System.getenv("WALLABY_FAULT_SEED") != null
                ? Long.parseLong(System.getenv("WALLABY_FAULT_SEED")) : System.nanoTime();
        System.out.println("fault-injection seed: " + seed + " (replay with WALLABY_FAULT_SEED=" + seed + ")");
        return seed;
    }

    @ParameterizedTest(name = "alert_stateless --capture {0}")
    @MethodSource("captureModes")
    void everyCommittedTransactionGivesExactlyOneAlertWhateverDies(String capture) throws Exception {
        assumeApplication("alert_stateless");
        long seed = seed();
        Random random = new Random(seed);
        database = TestDatabase.start();
        pieces = new Pieces(Path.of(".."), Path.of("target/e2e-logs/faults-" + capture), 0, 0);
        int adminPort = Pieces.freePort();
        FaultInjector injector = new FaultInjector(pieces, database, List.of("--admin-port", Integer.toString(adminPort)),
                List.of("--connection", database.connectionString(), "--capture", capture), "--create-table");

        try (TransactionWriters writers = new TransactionWriters(database.jdbcUrl(), 4, seed)) {
            writers.start();
            for (Fault fault : FaultInjector.schedule(random, 2, database.canRestart())) {
                Thread.sleep(500 + random.nextInt(2500)); // a random moment for the next fault
                System.out.println("fault: " + fault + " (" + writers.committedRows() + " rows committed so far)");
                injector.inject(fault, random);
            }
            Thread.sleep(1000); // the writers write on a little after the last fault
            writers.close();
            System.out.println("writers stopped: " + writers.committedRows() + " rows committed, "
                    + writers.failedTransactions() + " transactions failed");
        }

        try (Connection db = database.connect()) {
            List<String> expected = StatelessExpectation.alerts(db);
            AlertLogAssertions.awaitCountAndAcknowledged(db, 0, expected.size(), new EngineStatus(adminPort),
                    List.of("transactions"));
            AlertDifference difference = AlertDifference.of(expected, AlertLogReader.alertsAfter(db, 0, Integer.MAX_VALUE));
            System.out.println(difference.describe());
            if (!difference.none()) {
                fail("seed " + seed + ": " + difference.describe());
            }
        }
    }

    @ParameterizedTest(name = "velocity_alerts --capture {0}")
    @MethodSource("captureModes")
    void everyClosedWindowGivesExactlyItsVelocityAlertWhateverDies(String capture, @TempDir Path stateDir)
            throws Exception {
        assumeApplication("velocity_alerts");
        long seed = seed();
        Random random = new Random(seed);
        database = TestDatabase.start();
        try (DemoDatabase demo = DemoDatabase.open(database.connectionString())) {
            demo.createTransactionsTable(); // with the account in the replica identity, as the logical capture needs
        }
        Path logDir = Path.of("target/e2e-logs/faults-velocity-" + capture);
        Path deadLetterFile = logDir.resolve("dead-letters.jsonl"); // every engine of the run appends to it
        Files.deleteIfExists(deadLetterFile);
        pieces = new Pieces(Path.of(".."), logDir, 0, 0);
        int adminPort = Pieces.freePort();
        List<String> engineArgs = new ArrayList<>(VELOCITY.engineArgs());
        engineArgs.addAll(List.of("--state-dir", stateDir.toString(), "--admin-port", Integer.toString(adminPort)));
        FaultInjector injector = new FaultInjector(pieces, database, engineArgs, List.of("--connection",
                database.connectionString(), "--capture", capture, "--partitions", Integer.toString(VELOCITY_PARTITIONS),
                "--partition-by", "account"));

        Instant flushAt;
        try (AccountWriters writers = new AccountWriters(database.jdbcUrl(), VELOCITY_PARTITIONS, VELOCITY_ACCOUNTS,
                Instant.parse("2026-12-01T18:00:00Z"), seed)) {
            writers.start();
            for (Fault fault : FaultInjector.schedule(random, 1, database.canRestart())) {
                // A random moment for the next fault, sooner than alert_stateless's: windows need no long run.
                Thread.sleep(300 + random.nextInt(1500));
                System.out.println("fault: " + fault + " (" + writers.committedRows() + " rows committed so far)");
                injector.inject(fault, random);
            }
            Thread.sleep(1000); // the writers write on a little after the last fault
            writers.close();
            flushAt = writers.lastEventTime().plus(Duration.ofHours(1));
            System.out.println("writers stopped: " + writers.committedRows() + " rows committed, "
                    + writers.failedTransactions() + " transactions failed");
        }

        try (Connection db = database.connect()) {
            TransactionInserter.insertWithAccounts(db, WindowFlush.rows(VELOCITY_PARTITIONS, flushAt), 100);
            List<String> expected = VelocityExpectation.alerts(db, VELOCITY, 0, flushAt);
            EngineStatus engine = new EngineStatus(adminPort);
            List<String> streams = new ArrayList<>();
            for (int p = 0; p < VELOCITY_PARTITIONS; p++) {
                streams.add("transactions." + p);
            }
            AlertLogAssertions.awaitCountAndAcknowledged(db, 0, expected.size(), engine, streams);
            AlertDifference difference = AlertDifference.of(expected, AlertLogReader.alertsAfter(db, 0, Integer.MAX_VALUE));
            int wrongSums = wrongSums(difference);
            List<String> deadLetters = Files.exists(deadLetterFile) ? Files.readAllLines(deadLetterFile) : List.of();
            System.out.printf("velocity_alerts --capture %s: %s; %d of them wrong sums; %d dead letters%n", capture,
                    difference.describe(), wrongSums, deadLetters.size());
            if (!difference.none()) {
                fail("seed " + seed + ": " + difference.describe() + "; " + wrongSums + " wrong sums (same account and window)");
            }
            assertEquals(List.of(), deadLetters, "seed " + seed + ": no row was late or lacked a field");
        }
    }

    /** How many (account, window) pairs are both missing and extra: alerted, but with another sum. */
    private static int wrongSums(AlertDifference difference) {
        Set<String> missing = new HashSet<>();
        difference.missing().forEach(alert -> missing.add(withoutSum(alert)));
        Set<String> wrong = new HashSet<>();
        difference.extra().stream().map(FaultInjectionEndToEndTest::withoutSum).filter(missing::contains).forEach(wrong::add);
        return wrong.size();
    }

    private static String withoutSum(String alert) {
        Matcher m = WINDOW_OF_ALERT.matcher(alert);
        return m.matches() ? m.group(1) + " " + m.group(2) : alert;
    }
}
