package io.wallaby.launcher;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/** Waits for alert_log to reach a count, and fails with what it holds when it does not. */
final class AlertLogAssertions {

    static final Duration TIMEOUT = Duration.ofSeconds(120);

    private AlertLogAssertions() {
    }

    /**
     * Waits until alert_log holds at least {@code expected} rows after {@code afterRowId}, then until the engine
     * acknowledged every message its source streams saw: from then on nothing more reaches alert_log, so the
     * caller compares a final table (a duplicate has no later moment to land in).
     */
    static void awaitCountAndAcknowledged(Connection connection, long afterRowId, long expected, EngineStatus engine,
                                          List<String> streams) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        long got = 0;
        while (System.nanoTime() < deadline) {
            got = AlertLogReader.countAfter(connection, afterRowId);
            if (got >= expected) {
                engine.awaitAcknowledged(streams, TIMEOUT);
                return;
            }
            Thread.sleep(100); // polling alert_log for the count
        }
        fail("alert_log holds " + got + " of the " + expected + " expected alerts after " + TIMEOUT
                + "; the processes' logs are under launcher/target/e2e-logs");
    }
}
