package io.wallaby.launcher;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code launch.sh demo}'s refusals, which come before anything is started, and how its jobs split
 * {@code transactions} into streams. Running the demo itself (a PostgreSQL, a Kafka broker, engines and connectors)
 * is left to {@code ./launch.sh demo [velocity] [--cluster N]} by hand: {@link ClusterEndToEndTest} runs both jobs on
 * a cluster, with faults.
 */
class DemoCommandTest {

    @Test
    void refusesAnUnknownJobNamingTheTwoItRuns() {
        assertRefused("unknown job 'speed': the demo runs alert_stateless (launch.sh demo) or velocity_alerts "
                + "(launch.sh demo velocity)", "speed");
    }

    @Test
    void refusesANegativeClusterSayingWhatItTakes() {
        assertRefused("--cluster takes how many engines to run, 1 or more", "velocity", "--cluster", "-1");
    }

    @Test
    void refusesTheStandaloneEnginesPortsWithACluster() {
        assertRefused("the engines of --cluster take free ports: leave them out", "velocity", "--cluster", "3",
                "--source-port", "7101");
    }

    @Test
    void refusesANegativeCount() {
        assertRefused("--count must not be negative, was -1", "--count", "-1");
    }

    @Test
    void oneStreamIsTheTableAndSeveralAreItsPartitions() {
        assertEquals(List.of("transactions"), DemoStreams.names(1));
        assertEquals(List.of("--create-table"), DemoStreams.sourceArgs(1));
        assertEquals(List.of("transactions.0", "transactions.1", "transactions.2"), DemoStreams.names(3));
        assertEquals(List.of("--partitions", "8", "--partition-by", "account", "--snapshot", "never"),
                DemoStreams.sourceArgs(8));
    }

    @Test
    void theStreamsCarryingRowsAreThoseOfTheirAccounts() {
        Instant at = Instant.parse("2026-12-01T18:00:00Z");
        // One flush row per partition, each for an account of that partition: every stream carries one.
        assertEquals(DemoStreams.names(8), DemoStreams.carrying(WindowFlush.rows(8, at), 8));
        long account = WindowFlush.firstAccount(5, 8);
        assertEquals(List.of("transactions.5"), DemoStreams.carrying(
                List.of(new TransactionInserter.AccountTransaction(account, at, BigDecimal.TEN)), 8));
        assertEquals(List.of(), DemoStreams.carrying(List.of(), 8));
    }

    private static void assertRefused(String message, String... args) {
        StringWriter err = new StringWriter();
        CommandLine demo = new CommandLine(new DemoCommand()).setErr(new PrintWriter(err, true));
        int exit = demo.execute(args);
        assertEquals(2, exit, err.toString());
        assertTrue(err.toString().contains(message), err.toString());
    }
}
