package io.wallaby.source.postgres;

import io.wallaby.connector.CommandThreads;
import io.wallaby.connector.FakeEngine;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import io.wallaby.connector.postgres.EmbeddedPostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lossless table capture (the default) against a real (embedded) PostgreSQL 17 and a test playing the engine. */
class ChangeCaptureTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();

    /** One connector process, played in this JVM, and the engine session it talks to. */
    private record Running(PostgresSourceCommand command, CompletableFuture<Integer> exit, long streamId) {
        int stop() throws Exception {
            command.stop();
            return exit.get(20, TimeUnit.SECONDS);
        }
    }

    private static Running start(FakeEngine engine, String table, long enginePoint, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--connection", postgres.url(), "--table", table, "--engine-port",
                "" + engine.port(), "--poll-interval", "100ms"));
        args.addAll(List.of(extra));
        PostgresSourceCommand command = new PostgresSourceCommand();
        new CommandLine(command).parseArgs(args.toArray(String[]::new));
        CompletableFuture<Integer> exit = CommandThreads.start(command);
        engine.acceptAndOk(1000);
        long stream = StreamIds.of(table);
        assertEquals(new Frame.Notify(stream, table, Frame.U64_MAX), engine.read(Frame.Notify.class));
        engine.send(new Frame.NotifyAck(true, stream, enginePoint));
        return new Running(command, exit, stream);
    }

    private static void execute(String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(postgres.url()); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static long number(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(postgres.url()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    private static void await(String what, CheckedCondition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.holds()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(20);
        }
    }

    private interface CheckedCondition {
        boolean holds() throws Exception;
    }

    private static double amount(Frame.Message m) throws Exception {
        return new ObjectMapper().readTree(m.payload()).get("amount").asDouble();
    }

    private static void createTable(String table) throws Exception {
        execute("CREATE TABLE " + table + " (id bigserial PRIMARY KEY, amount numeric(14,2) NOT NULL)");
    }

    @Test
    void deliversRowsInsertedWhileDownAndForgetsThemOnlyAfterTheAck() throws Exception {
        createTable("early");
        try (Connection c = DriverManager.getConnection(postgres.url())) {
            new ChangeTable("early", "wallaby_early").install(c, false);
            new ChangeTable("early", "wallaby_early").install(c, false); // idempotent
        }
        execute("INSERT INTO early (amount) VALUES (1), (2)", "INSERT INTO early (amount) VALUES (3)");
        try (FakeEngine engine = new FakeEngine()) {
            Running source = start(engine, "early", Frame.U64_MAX);
            for (int i = 1; i <= 3; i++) {
                Frame.Message m = engine.read(Frame.Message.class);
                assertEquals(i, m.messageId());
                assertEquals(i, amount(m));
            }
            assertEquals(3, number("SELECT count(*) FROM wallaby.changes WHERE source = 'public.early'"));
            // Rows are deleted and the cursor recorded in one transaction: every snapshot sees them add up.
            String both = "SELECT (SELECT count(*) FROM wallaby.changes WHERE source = 'public.early') * 1000 + "
                    + "coalesce((SELECT acked_message_id FROM wallaby.source_offsets WHERE stream = 'early'), 0)";
            engine.send(new Frame.Ack(10, List.of(new Frame.StreamPoint(source.streamId(), 2))));
            await("message 2 is recorded", () -> {
                long seen = number(both);
                assertTrue(seen == 3000 || seen == 1002, "rows deleted apart from the cursor update: " + seen);
                return seen == 1002;
            });
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
                try {
                    return source.stop();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            engine.send(new Frame.Ack(10, List.of(new Frame.StreamPoint(source.streamId(), 3))));
            engine.read(Frame.Eos.class);
            engine.send(new Frame.Ack(1, List.of(new Frame.StreamPoint(source.streamId(), 3))));
            assertEquals(0, exit.get(20, TimeUnit.SECONDS));
            assertEquals(3, number(both), "the last acknowledgement is recorded before exiting");
        }
    }

    @Test
    void aTransactionThatCommitsLateIsNotSkipped() throws Exception {
        createTable("late");
        try (FakeEngine engine = new FakeEngine()) {
            Running source = start(engine, "late", Frame.U64_MAX);
            await("the trigger is installed", () -> number(
                    "SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass('late') AND tgname = 'wallaby_capture'") == 1);
            try (Connection a = DriverManager.getConnection(postgres.url()); Connection b = DriverManager.getConnection(postgres.url())) {
                a.setAutoCommit(false);
                b.setAutoCommit(false);
                a.createStatement().execute("INSERT INTO late (amount) VALUES (1)"); // smaller txid and seq
                b.createStatement().execute("INSERT INTO late (amount) VALUES (2)");
                b.commit();
                // B committed, but A (older) is still open: B's row is above xmin and waits for A.
                assertTrue(engine.silentFor(500));
                a.commit();
            }
            Frame.Message first = engine.read(Frame.Message.class);
            Frame.Message second = engine.read(Frame.Message.class);
            assertEquals(List.of(1L, 2L), List.of(first.messageId(), second.messageId()));
            assertEquals(List.of(1.0, 2.0), List.of(amount(first), amount(second)), "in txid order, none skipped");
            engine.send(new Frame.Ack(10, List.of(new Frame.StreamPoint(source.streamId(), 2))));
            source.command().stop();
            engine.read(Frame.Eos.class);
            engine.send(new Frame.Ack(1, List.of(new Frame.StreamPoint(source.streamId(), 2))));
            assertEquals(0, source.exit().get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void ordersByTransactionIdAsANumberAcrossAPowerOfTen() throws Exception {
        // The first real run sorted by the text of txid ("1000" < "999") and sent rows twice: keep it fixed.
        createTable("digits");
        try (Connection c = DriverManager.getConnection(postgres.url())) {
            new ChangeTable("digits", "wallaby_digits").install(c, false);
        }
        long boundary = 10;
        while (boundary <= number("SELECT pg_current_xact_id()::text::bigint") + 2) {
            boundary *= 10;
        }
        try (Connection c = DriverManager.getConnection(postgres.url()); Statement s = c.createStatement()) {
            long txid;
            do { // each autocommit statement that asks for its transaction id uses one up
                try (ResultSet rs = s.executeQuery("SELECT pg_current_xact_id()::text::bigint")) {
                    rs.next();
                    txid = rs.getLong(1);
                }
            } while (txid < boundary - 2);
            s.execute("INSERT INTO digits (amount) VALUES (1)");
            s.execute("INSERT INTO digits (amount) VALUES (2)");
        }
        assertEquals(boundary - 1, number("SELECT txid::text::bigint FROM wallaby.changes WHERE source = 'public.digits' "
                + "ORDER BY seq LIMIT 1"), "the first row's txid has one digit fewer than the second's");
        try (FakeEngine engine = new FakeEngine()) {
            Running source = start(engine, "digits", Frame.U64_MAX);
            Frame.Message first = engine.read(Frame.Message.class);
            Frame.Message second = engine.read(Frame.Message.class);
            assertEquals(List.of(1.0, 2.0), List.of(amount(first), amount(second)));
            assertTrue(engine.silentFor(400), "nothing is sent twice");
            engine.send(new Frame.Ack(10, List.of(new Frame.StreamPoint(source.streamId(), 2))));
            source.command().stop();
            engine.read(Frame.Eos.class);
            engine.send(new Frame.Ack(1, List.of(new Frame.StreamPoint(source.streamId(), 2))));
            assertEquals(0, source.exit().get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void aRestartResendsUnacknowledgedRowsWithTheSameIdsAndSkipsWhatTheEngineAcknowledged() throws Exception {
        createTable("resume");
        List<Frame.Message> firstRun = new ArrayList<>();
        try (FakeEngine engine = new FakeEngine()) {
            Running source = start(engine, "resume", Frame.U64_MAX, "--shutdown-timeout", "0");
            execute("INSERT INTO resume (amount) VALUES (1), (2)", "INSERT INTO resume (amount) VALUES (3)",
                    "INSERT INTO resume (amount) VALUES (4), (5)");
            for (int i = 1; i <= 5; i++) {
                firstRun.add(engine.read(Frame.Message.class));
            }
            engine.send(new Frame.Ack(10, List.of(new Frame.StreamPoint(source.streamId(), 2))));
            await("message 2 is recorded",
                    () -> number("SELECT acked_message_id FROM wallaby.source_offsets WHERE stream = 'resume'") == 2);
            assertEquals(0, source.stop()); // gives up waiting for 3..5 at once: as good as a crash for them
        }
        try (FakeEngine engine = new FakeEngine()) {
            Running source = start(engine, "resume", 2, "--shutdown-timeout", "0");
            for (int i = 3; i <= 5; i++) {
                Frame.Message again = engine.read(Frame.Message.class);
                assertEquals(i, again.messageId());
                assertArrayEquals(firstRun.get(i - 1).payload(), again.payload(), "same id, same row");
            }
            // The engine acknowledges 4, but this instance dies before recording it.
            assertEquals(0, source.stop());
        }
        assertEquals(2, number("SELECT acked_message_id FROM wallaby.source_offsets WHERE stream = 'resume'"));
        try (FakeEngine engine = new FakeEngine()) {
            Running source = start(engine, "resume", 4);
            Frame.Message fifth = engine.read(Frame.Message.class);
            assertEquals(5, fifth.messageId());
            assertArrayEquals(firstRun.get(4).payload(), fifth.payload());
            await("the engine's point 4 is recorded and rows up to it deleted", () ->
                    number("SELECT acked_message_id FROM wallaby.source_offsets WHERE stream = 'resume'") == 4
                            && number("SELECT count(*) FROM wallaby.changes WHERE source = 'public.resume'") == 1);
            engine.send(new Frame.Ack(10, List.of(new Frame.StreamPoint(source.streamId(), 5))));
            source.command().stop();
            engine.read(Frame.Eos.class);
            engine.send(new Frame.Ack(1, List.of(new Frame.StreamPoint(source.streamId(), 5))));
            assertEquals(0, source.exit().get(20, TimeUnit.SECONDS));
            await("message 5 is recorded",
                    () -> number("SELECT acked_message_id FROM wallaby.source_offsets WHERE stream = 'resume'") == 5);
        }
    }

    @Test
    void aSecondInstanceWaitsAsAStandbyWithoutDeletingAndTakesOverWhereTheFirstStopped() throws Exception {
        createTable("pair");
        try (FakeEngine engine = new FakeEngine(); FakeEngine standbyEngine = new FakeEngine()) {
            Running active = start(engine, "pair", Frame.U64_MAX, "--shutdown-timeout", "0");
            execute("INSERT INTO pair (amount) VALUES (1), (2)");
            assertEquals(1, engine.read(Frame.Message.class).messageId());
            assertEquals(2, engine.read(Frame.Message.class).messageId());
            engine.send(new Frame.Ack(10, List.of(new Frame.StreamPoint(active.streamId(), 1))));
            await("message 1 is recorded",
                    () -> number("SELECT acked_message_id FROM wallaby.source_offsets WHERE stream = 'pair'") == 1);

            // The second instance is refused the stream (it is open on the first) and waits.
            PostgresSourceCommand second = new PostgresSourceCommand();
            new CommandLine(second).parseArgs("--connection", postgres.url(), "--table", "pair", "--engine-port",
                    "" + standbyEngine.port(), "--poll-interval", "100ms");
            CompletableFuture<Integer> secondExit = CompletableFuture.supplyAsync(() -> {
                try {
                    return second.call();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            standbyEngine.acceptAndOk(1000);
            Frame.Notify notify = standbyEngine.read(Frame.Notify.class);
            standbyEngine.send(new Frame.NotifyAck(false, notify.streamId(), Frame.U64_MAX));
            execute("INSERT INTO pair (amount) VALUES (3)");
            assertEquals(3, engine.read(Frame.Message.class).messageId(), "the active instance goes on");
            assertEquals(2, number("SELECT count(*) FROM wallaby.changes WHERE source = 'public.pair'"),
                    "the standby deletes nothing");
            assertEquals(0, active.stop()); // 2 and 3 were sent but never acknowledged

            // The engine now gives the stream to the standby, at the point it had acknowledged.
            standbyEngine.read(Frame.Notify.class);
            standbyEngine.send(new Frame.NotifyAck(true, notify.streamId(), 1));
            Frame.Message two = standbyEngine.read(Frame.Message.class);
            Frame.Message three = standbyEngine.read(Frame.Message.class);
            assertEquals(List.of(2L, 3L), List.of(two.messageId(), three.messageId()), "same ids as before");
            assertEquals(List.of(2.0, 3.0), List.of(amount(two), amount(three)));
            standbyEngine.send(new Frame.Ack(10, List.of(new Frame.StreamPoint(notify.streamId(), 3))));
            second.stop();
            standbyEngine.read(Frame.Eos.class);
            standbyEngine.send(new Frame.Ack(1, List.of(new Frame.StreamPoint(notify.streamId(), 3))));
            assertEquals(0, secondExit.get(20, TimeUnit.SECONDS));
            assertEquals(0, number("SELECT count(*) FROM wallaby.changes WHERE source = 'public.pair'"));
        }
    }

    @Test
    void reconnectsWhenItsPostgresConnectionIsKilledAndLosesNothing() throws Exception {
        createTable("killed");
        try (FakeEngine engine = new FakeEngine()) {
            Running source = start(engine, "killed", Frame.U64_MAX);
            execute("INSERT INTO killed (amount) VALUES (1)");
            assertEquals(1, engine.read(Frame.Message.class).messageId());
            for (int round = 0; round < 3; round++) {
                execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                + "WHERE application_name = 'wallaby-source-postgres' AND pid <> pg_backend_pid()",
                        "INSERT INTO killed (amount) VALUES (" + (round + 2) + ")");
            }
            for (int i = 2; i <= 4; i++) {
                Frame.Message m = engine.read(Frame.Message.class);
                assertEquals(i, m.messageId());
                assertEquals(i, amount(m));
            }
            engine.send(new Frame.Ack(10, List.of(new Frame.StreamPoint(source.streamId(), 4))));
            await("message 4 is recorded",
                    () -> number("SELECT acked_message_id FROM wallaby.source_offsets WHERE stream = 'killed'") == 4);
            source.command().stop();
            engine.read(Frame.Eos.class);
            engine.send(new Frame.Ack(1, List.of(new Frame.StreamPoint(source.streamId(), 4))));
            assertEquals(0, source.exit().get(20, TimeUnit.SECONDS));
        }
    }
}
