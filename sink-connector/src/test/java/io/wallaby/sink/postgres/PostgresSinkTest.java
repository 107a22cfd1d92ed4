package io.wallaby.sink.postgres;

import io.wallaby.connector.CommandThreads;
import io.wallaby.connector.FakeEngine;
import io.wallaby.connector.ConnectorCommandLine;
import io.wallaby.connector.SinkMessage;
import io.wallaby.connector.postgres.ConnectionString;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import io.wallaby.sink.SinkMain;
import io.wallaby.connector.postgres.EmbeddedPostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The postgres sink against a real (embedded) PostgreSQL 17 and a test playing the engine. */
class PostgresSinkTest {

    private static final String STREAM = "alert_log/transactions";
    private static final long STREAM_ID = StreamIds.of(STREAM);

    @RegisterExtension
    static final EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();

    private static List<String> query(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(postgres.url()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    private static Frame.Message alert(long id) {
        return alert(STREAM_ID, id);
    }

    private static Frame.Message alert(long streamId, long id) {
        return Frame.Message.of(streamId, id, ("alert " + id).getBytes(StandardCharsets.UTF_8));
    }

    /** Reads ACKs until one commits {@code point} on the stream. */
    private static void awaitCommit(FakeEngine engine, long point) throws Exception {
        awaitCommit(engine, STREAM_ID, point);
    }

    private static void awaitCommit(FakeEngine engine, long streamId, long point) throws Exception {
        while (true) {
            Frame.Ack ack = engine.read(Frame.Ack.class);
            if (ack.points().contains(new Frame.StreamPoint(streamId, point))) {
                return;
            }
        }
    }

    private static CompletableFuture<Integer> start(PostgresSinkCommand command, FakeEngine engine, String table) {
        new CommandLine(command).parseArgs("--connection", postgres.url(), "--table", table, "--engine-port", "" + engine.port());
        return CommandThreads.start(command);
    }

    @Test
    void writesRowsAndOffsetsTogetherAndResumesFromTheCommittedPointAfterARestart() throws Exception {
        try (FakeEngine engine = new FakeEngine()) {
            PostgresSinkCommand first = new PostgresSinkCommand();
            CompletableFuture<Integer> exit = start(first, engine, "alert_log");
            assertEquals("wallaby-sink-postgres", engine.acceptAndOk(0).programName());
            assertEquals(10_000L, engine.read(Frame.Ack.class).credits(), "the default credit window");
            engine.send(new Frame.Notify(STREAM_ID, STREAM, Frame.U64_MAX));
            assertEquals(new Frame.NotifyAck(true, STREAM_ID, Frame.U64_MAX), engine.read(Frame.NotifyAck.class));
            engine.send(alert(65536));
            engine.send(alert(65537));
            engine.send(alert(131072));
            awaitCommit(engine, 131072);
            assertEquals(List.of("alert 65536", "alert 65537", "alert 131072"),
                    query("SELECT alert_log FROM alert_log ORDER BY id"));
            assertEquals(List.of("131072"), query("SELECT committed_point FROM wallaby_sink_offsets WHERE stream_name = '"
                    + STREAM + "'"));
            first.stop();
            assertEquals(0, exit.get(10, TimeUnit.SECONDS));

            PostgresSinkCommand second = new PostgresSinkCommand();
            exit = start(second, engine, "alert_log");
            engine.acceptAndOk(0);
            engine.read(Frame.Ack.class);
            engine.send(new Frame.Notify(STREAM_ID, STREAM, Frame.U64_MAX));
            assertEquals(new Frame.NotifyAck(true, STREAM_ID, 131072), engine.read(Frame.NotifyAck.class),
                    "a restarted sink answers with the committed point from the offsets table");
            engine.send(alert(131072)); // redelivered: must be skipped
            engine.send(alert(196608));
            awaitCommit(engine, 196608);
            assertEquals(List.of("alert 65536", "alert 65537", "alert 131072", "alert 196608"),
                    query("SELECT alert_log FROM alert_log ORDER BY id"));
            second.stop();
            assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void survivesLosingItsDatabaseConnectionWithoutLosingOrDoublingRows() throws Exception {
        try (FakeEngine engine = new FakeEngine()) {
            PostgresSinkCommand command = new PostgresSinkCommand();
            CompletableFuture<Integer> exit = start(command, engine, "flaky_log");
            engine.acceptAndOk(0);
            engine.read(Frame.Ack.class);
            String flaky = "flaky_log/transactions"; // its own stream: the offsets table is shared by the tests
            long id = StreamIds.of(flaky);
            engine.send(new Frame.Notify(id, flaky, Frame.U64_MAX));
            assertEquals(new Frame.NotifyAck(true, id, Frame.U64_MAX), engine.read(Frame.NotifyAck.class));
            engine.send(alert(id, 1));
            awaitCommit(engine, id, 1);
            query("SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                    + "AND application_name = 'wallaby-sink-postgres'");
            engine.send(alert(id, 2));
            engine.send(alert(id, 3));
            awaitCommit(engine, id, 3);
            assertEquals(List.of("alert 1", "alert 2", "alert 3"), query("SELECT alert_log FROM flaky_log ORDER BY id"));
            command.stop();
            assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void retryingABatchWhoseCommitSucceededAddsNothing() throws Exception {
        try (AlertLogWriter writer = new AlertLogWriter(ConnectionString.parse(postgres.url()), "public.retry_log")) {
            writer.open();
            List<SinkMessage> batch = List.of(
                    new SinkMessage("s", 1, 10, null, "a".getBytes(StandardCharsets.UTF_8), 0),
                    new SinkMessage("s", 1, 11, null, "b".getBytes(StandardCharsets.UTF_8), 0));
            assertEquals(2, writer.write(batch));
            assertEquals(0, writer.write(batch));
            assertEquals(11L, writer.committedPoint("s"));
            assertEquals(Frame.U64_MAX, writer.committedPoint("other"));
        }
        assertEquals(List.of("a", "b"), query("SELECT alert_log FROM retry_log ORDER BY id"));
    }

    @Test
    void copyKeepsEveryCharacterThatTheTextFormatEscapes() throws Exception {
        List<String> texts = List.of("back\\slash", "tab\there", "new\nline", "carriage\rreturn", "\\.", "\\N",
                "", "naïve € 😀", "end\\");
        List<SinkMessage> batch = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            batch.add(new SinkMessage("escapes", 1, i + 1, null, texts.get(i).getBytes(StandardCharsets.UTF_8), 0));
        }
        try (AlertLogWriter writer = new AlertLogWriter(ConnectionString.parse(postgres.url()), "public.escape_log")) {
            writer.open();
            assertEquals(texts.size(), writer.write(batch));
        }
        assertEquals(texts, query("SELECT alert_log FROM escape_log ORDER BY id"));
        assertEquals(List.of("0"), query("SELECT count(*)::text FROM escape_log WHERE alert_log IS NULL"));
    }

    @Test
    void rowsThatCanNeverBeWrittenGoToDeadLettersInTheSameTransactionAndTheStreamGoesOn() throws Exception {
        try (AlertLogWriter writer = new AlertLogWriter(ConnectionString.parse(postgres.url()), "strict_log")) {
            writer.open();
            try (Connection c = DriverManager.getConnection(postgres.url()); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE strict_log ADD CONSTRAINT no_poison CHECK (alert_log <> 'poison')");
            }
            List<SinkMessage> batch = List.of(
                    new SinkMessage("dead", 1, 1, null, "ok 1".getBytes(StandardCharsets.UTF_8), 0),
                    new SinkMessage("dead", 1, 2, null, new byte[] {'b', (byte) 0xC3, '(', 'd'}, 0),
                    new SinkMessage("dead", 1, 3, null, "nul\0byte".getBytes(StandardCharsets.UTF_8), 0),
                    new SinkMessage("dead", 1, 4, null, "poison".getBytes(StandardCharsets.UTF_8), 0),
                    new SinkMessage("dead", 1, 5, null, "ok 2".getBytes(StandardCharsets.UTF_8), 0));
            assertEquals(2, writer.write(batch));
            assertEquals(5L, writer.committedPoint("dead"), "dead letters count as done");
            assertEquals(0, writer.write(batch), "a retried batch adds nothing, dead letters included");
        }
        assertEquals(List.of("ok 1", "ok 2"), query("SELECT alert_log FROM strict_log ORDER BY id"));
        List<String> dead = query("SELECT message_id || ' ' || encode(payload, 'hex') || ' ' || reason "
                + "FROM wallaby_dead_letters WHERE stream_name = 'dead' ORDER BY message_id");
        assertEquals(3, dead.size(), dead.toString());
        assertTrue(dead.get(0).startsWith("2 62c32864 payload is not valid UTF-8"), dead.get(0));
        assertTrue(dead.get(1).startsWith("3 6e756c0062797465 SQLSTATE 22021"), dead.get(1));
        assertTrue(dead.get(2).startsWith("4 706f69736f6e SQLSTATE 23514"), dead.get(2));
    }

    @Test
    void transientErrorsAreRetriedNotDeadLettered() throws Exception {
        try (Connection c = DriverManager.getConnection(postgres.url()); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE busy_log (id serial primary key, alert_log varchar, created_at timestamptz not null default now())");
            s.execute("CREATE TABLE busy_flag (on_ boolean)");
            s.execute("INSERT INTO busy_flag VALUES (true)");
            s.execute("CREATE FUNCTION busy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    + "IF EXISTS (SELECT 1 FROM busy_flag) THEN RAISE EXCEPTION 'simulated serialization failure' "
                    + "USING ERRCODE = '40001'; END IF; RETURN NEW; END $$");
            s.execute("CREATE TRIGGER busy BEFORE INSERT ON busy_log FOR EACH ROW EXECUTE FUNCTION busy()");
        }
        try (FakeEngine engine = new FakeEngine()) {
            PostgresSinkCommand command = new PostgresSinkCommand();
            CompletableFuture<Integer> exit = start(command, engine, "busy_log");
            engine.acceptAndOk(0);
            engine.read(Frame.Ack.class);
            String busy = "busy_log/transactions";
            long id = StreamIds.of(busy);
            engine.send(new Frame.Notify(id, busy, Frame.U64_MAX));
            engine.read(Frame.NotifyAck.class);
            engine.send(alert(id, 1));
            engine.send(alert(id, 2));
            Thread.sleep(500); // a few failed attempts
            assertEquals(List.of(), query("SELECT alert_log FROM busy_log"));
            query("DELETE FROM busy_flag RETURNING 'x'");
            awaitCommit(engine, id, 2);
            assertEquals(List.of("alert 1", "alert 2"), query("SELECT alert_log FROM busy_log ORDER BY id"));
            assertEquals(List.of("0"), query("SELECT count(*)::text FROM wallaby_dead_letters WHERE stream_name = '"
                    + busy + "'"));
            command.stop();
            assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void badConfigurationIsExitTwoAndAnUnreachableDatabaseExitOne() {
        assertEquals(2, ConnectorCommandLine.execute(new SinkMain(), "postgres", "--connection", postgres.url(), "--table", "a-b"));
        assertEquals(2, ConnectorCommandLine.execute(new SinkMain(), "postgres", "--connection", "nonsense"));
        assertEquals(2, ConnectorCommandLine.execute(new SinkMain(), "postgres"));
        assertEquals(1, ConnectorCommandLine.execute(new SinkMain(), "postgres",
                "--connection", "postgresql://postgres:pw@127.0.0.1:1/postgres"));
    }
}
