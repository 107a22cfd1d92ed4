package io.wallaby.source.postgres;

import io.wallaby.connector.CommandThreads;
import io.wallaby.connector.FakeEngine;
import io.wallaby.connector.LogLines;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The postgres source logs its capture lag, and the messages sent and acknowledged, every --stats-interval. */
class CaptureFiguresTest {

    @Test
    void theLagCountsChangesUntilTheEngineAcknowledgesThem() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(); FakeEngine engine = new FakeEngine();
             LogLines figures = new LogLines(CaptureFigures.class)) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            PostgresSourceCommand command = new PostgresSourceCommand();
            new CommandLine(command).parseArgs("--connection", url, "--table", "lagging", "--create-table",
                    "--engine-port", "" + engine.port(), "--poll-interval", "50ms", "--stats-interval", "200ms");
            CompletableFuture<Integer> exit = CommandThreads.start(command);
            engine.acceptAndOk(1000);
            long stream = StreamIds.of("lagging");
            engine.read(Frame.Notify.class);
            engine.send(new Frame.NotifyAck(true, stream, Frame.U64_MAX));
            figures.await(m -> m.startsWith("figures: capture lag 0 change(s)"));
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.execute("INSERT INTO lagging (amount) VALUES (1), (2)");
            }
            assertEquals(List.of(1L, 2L), List.of(engine.read(Frame.Message.class).messageId(),
                    engine.read(Frame.Message.class).messageId()));
            figures.await(m -> m.matches("figures: capture lag 2 change\\(s\\) not acknowledged, oldest [0-9.]+ s old; "
                    + "2 message\\(s\\) sent since start \\(last id 2\\), engine acknowledged up to id none"));
            engine.send(new Frame.Ack(10, List.of(new Frame.StreamPoint(stream, 2))));
            figures.await(m -> m.startsWith("figures: capture lag 0 change(s) not acknowledged, oldest 0.0 s old; "
                    + "2 message(s) sent since start (last id 2), engine acknowledged up to id 2"));
            command.stop();
            engine.read(Frame.Eos.class);
            engine.send(new Frame.Ack(1, List.of(new Frame.StreamPoint(stream, 2))));
            assertEquals(0, exit.get(20, TimeUnit.SECONDS));
        }
    }
}
