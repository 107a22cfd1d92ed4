package io.wallaby.source.postgres;

import io.wallaby.connector.CommandThreads;
import io.wallaby.connector.FakeEngine;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A row too large for a MESSAGE frame (2 MB against the default 1 MiB maximum) must not wedge the postgres source:
 * it is set aside with the reason, sent as an empty message, and the rows after it flow with their usual ids.
 */
class HugeRowTest {

    private static final int HUGE = 2_000_000;

    @Test
    void postgresSourceKeepsAHugeRowInDeadLettersAndGoesOn() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(); FakeEngine engine = new FakeEngine()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE wide (id bigserial PRIMARY KEY, amount numeric(14,2) NOT NULL, note text)");
            }
            PostgresSourceCommand command = new PostgresSourceCommand();
            new CommandLine(command).parseArgs("--connection", url, "--table", "wide", "--engine-port",
                    "" + engine.port(), "--poll-interval", "100ms");
            CompletableFuture<Integer> exit = CommandThreads.start(command);
            engine.acceptAndOk(1000);
            long stream = StreamIds.of("wide");
            engine.read(Frame.Notify.class);
            engine.send(new Frame.NotifyAck(true, stream, Frame.U64_MAX));
            awaitTrigger(url);
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.execute("INSERT INTO wide (amount) VALUES (1)");
                s.execute("INSERT INTO wide (amount, note) VALUES (2, repeat('x', " + HUGE + "))");
                s.execute("INSERT INTO wide (amount) VALUES (3)");
            }
            List<Frame.Message> messages = List.of(engine.read(Frame.Message.class),
                    engine.read(Frame.Message.class), engine.read(Frame.Message.class));
            assertEquals(List.of(1L, 2L, 3L), messages.stream().map(Frame.Message::messageId).toList());
            assertTrue(text(messages.get(0)).contains("\"amount\": 1"), text(messages.get(0)));
            assertEquals(0, messages.get(1).payload().length, "the huge row goes as an empty message");
            assertTrue(text(messages.get(2)).contains("\"amount\": 3"), text(messages.get(2)));

            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT source, length(payload->>'note'), reason "
                         + "FROM wallaby.dead_letters")) {
                assertTrue(rs.next(), "the huge row is in wallaby.dead_letters");
                assertEquals("public.wide", rs.getString(1));
                assertEquals(HUGE, rs.getInt(2));
                assertTrue(rs.getString(3).contains("does not fit a MESSAGE frame"), rs.getString(3));
                assertTrue(!rs.next(), "one dead letter");
            }
            engine.send(new Frame.Ack(10, List.of(new Frame.StreamPoint(stream, 3))));
            command.stop();
            engine.read(Frame.Eos.class);
            engine.send(new Frame.Ack(1, List.of(new Frame.StreamPoint(stream, 3))));
            assertEquals(0, exit.get(20, TimeUnit.SECONDS));
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM wallaby.changes")) {
                rs.next();
                assertEquals(0, rs.getLong(1), "acknowledged rows, the huge one included, are forgotten");
            }
        }
    }

    private static void awaitTrigger(String url) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_trigger WHERE tgname = 'wallaby_capture'")) {
                rs.next();
                if (rs.getLong(1) == 1) {
                    return;
                }
            }
            assertTrue(System.nanoTime() < deadline, "the capture trigger is installed");
            Thread.sleep(20);
        }
    }

    private static String text(Frame.Message message) {
        return new String(message.payload(), StandardCharsets.UTF_8);
    }
}
