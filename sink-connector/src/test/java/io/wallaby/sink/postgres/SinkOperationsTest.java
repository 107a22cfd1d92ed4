package io.wallaby.sink.postgres;

import io.wallaby.connector.CommandThreads;
import io.wallaby.connector.ConnectorCommandLine;
import io.wallaby.connector.FakeEngine;
import io.wallaby.connector.LogLines;
import io.wallaby.connector.postgres.PasswordDatabase;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import io.wallaby.sink.SinkMain;
import io.wallaby.connector.postgres.EmbeddedPostgresExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The postgres sink for its operator: figures in the log, clear errors and exit codes. */
class SinkOperationsTest {

    private static final String STREAM = "alert_log/transactions";
    private static final long STREAM_ID = StreamIds.of(STREAM);

    @RegisterExtension
    static final EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();

    @BeforeAll
    static void requirePasswords() throws Exception {
        PasswordDatabase.requirePasswords(postgres.url());
    }

    @Test
    void logsCommitBatchSizesAndLatencyEveryStatsInterval() throws Exception {
        try (FakeEngine engine = new FakeEngine(); LogLines figures = new LogLines(CommitFigures.class)) {
            PostgresSinkCommand command = new PostgresSinkCommand();
            new CommandLine(command).parseArgs("--connection", postgres.url(), "--table",
                    "figures_log", "--engine-port", "" + engine.port(), "--stats-interval", "300ms");
            CompletableFuture<Integer> exit = CommandThreads.start(command);
            engine.acceptAndOk(0);
            engine.read(Frame.Ack.class);
            engine.send(new Frame.Notify(STREAM_ID, STREAM, Frame.U64_MAX));
            engine.read(Frame.NotifyAck.class);
            for (long id = 1; id <= 3; id++) {
                engine.send(Frame.Message.of(STREAM_ID, id, ("alert " + id).getBytes(StandardCharsets.UTF_8)));
            }
            String line = figures.await(m -> m.contains("commits of 3 messages"));
            assertTrue(line.matches(".*batch size mean [0-9.]+ max [1-3]; commit latency mean [0-9.]+ ms max [0-9.]+ ms"),
                    line);
            command.stop();
            assertEquals(0, exit.get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void aWrongPasswordIsARuntimeFailureWithoutThePasswordInTheLog() throws Exception {
        try (LogLines failures = new LogLines(ConnectorCommandLine.class)) {
            String wrong = "postgresql://" + PasswordDatabase.USER + ":not-the-pw-42@127.0.0.1:" + postgres.port()
                    + "/postgres";
            assertEquals(1, ConnectorCommandLine.execute(new SinkMain(), "postgres", "--connection", wrong,
                    "--engine-port", "1"));
            String line = failures.await(m -> m.startsWith("exiting with status 1"));
            assertTrue(line.contains("password authentication failed for user \"writer\""), line);
            assertFalse(failures.messages().stream().anyMatch(m -> m.contains("not-the-pw-42")), failures.messages()
                    .toString());
        }
    }

    @Test
    void malformedFlagsAreUsageErrors() {
        String connection = postgres.url();
        for (List<String> flags : List.of(List.of("--batch-size", "many"), List.of("--stats-interval", "often"),
                List.of("--log-format", "yaml"), List.of("--engine-port", "port"), List.of("--what"))) {
            String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("postgres", "--connection",
                    connection), flags.stream()).toArray(String[]::new);
            assertEquals(2, ConnectorCommandLine.execute(new SinkMain(), args), flags.toString());
        }
        assertEquals(2, ConnectorCommandLine.execute(new SinkMain(), "file"));
        assertEquals(2, ConnectorCommandLine.execute(new SinkMain(), "nowhere"));
    }
}
