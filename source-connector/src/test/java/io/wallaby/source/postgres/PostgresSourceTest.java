package io.wallaby.source.postgres;

import io.wallaby.connector.CommandThreads;
import io.wallaby.connector.FakeEngine;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wallaby.connector.ConnectorCommandLine;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import io.wallaby.source.SourceMain;
import io.wallaby.connector.postgres.EmbeddedPostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The postgres source in --capture notify mode (and its trigger) against a real (embedded) PostgreSQL 17 and a test playing the engine. */
class PostgresSourceTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(postgres.url());
    }

    private static int count(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void installsTwiceAndFromTwoConnectorsAtOnce() throws Exception {
        try (Connection c = connect()) {
            new NotifyTrigger("twice", "wallaby_twice").install(c, true);
            new NotifyTrigger("twice", "wallaby_twice").install(c, true);
        }
        for (int round = 0; round < 5; round++) {
            String table = "racing" + round;
            Runnable installer = () -> {
                try (Connection c = connect()) {
                    new NotifyTrigger("public." + table, "wallaby_" + table).install(c, true);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            };
            CompletableFuture<Void> first = CompletableFuture.runAsync(installer);
            CompletableFuture<Void> second = CompletableFuture.runAsync(installer);
            first.get(20, TimeUnit.SECONDS);
            second.get(20, TimeUnit.SECONDS);
            assertEquals(1, count("SELECT count(*) FROM pg_trigger WHERE tgrelid = '" + table + "'::regclass AND NOT tgisinternal"));
        }
        assertEquals(1, count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'twice'::regclass AND NOT tgisinternal"));
    }

    @Test
    void aMissingTableIsAConfigurationErrorAndAnUnreachableDatabaseARuntimeFailure() {
        assertEquals(2, ConnectorCommandLine.execute(new SourceMain(), "postgres", "--connection", postgres.url(), "--table", "nope"));
        assertEquals(2, ConnectorCommandLine.execute(new SourceMain(), "postgres", "--connection", postgres.url(), "--table", "bad;name"));
        assertEquals(2, ConnectorCommandLine.execute(new SourceMain(), "postgres", "--connection", "dbname=x usr=y"));
        assertEquals(1, ConnectorCommandLine.execute(new SourceMain(), "postgres",
                "--connection", "postgresql://postgres:secret@127.0.0.1:1/postgres"));
    }

    @Test
    void forwardsInsertedRowsIncludingOnesTooLargeForANotification() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE wide (id bigserial PRIMARY KEY, body text NOT NULL)");
        }
        try (FakeEngine engine = new FakeEngine()) {
            PostgresSourceCommand command = new PostgresSourceCommand();
            new CommandLine(command).parseArgs("--connection", postgres.url(), "--table", "wide", "--capture", "notify", "--engine-port", "" + engine.port());
            CompletableFuture<Integer> exit = CommandThreads.start(command);
            assertEquals("wallaby-source-postgres", engine.acceptAndOk(100).programName());
            long stream = StreamIds.of("wide");
            assertEquals(new Frame.Notify(stream, "wide", Frame.U64_MAX), engine.read(Frame.Notify.class));
            engine.send(new Frame.NotifyAck(true, stream, Frame.U64_MAX));
            awaitListening("wallaby_wide");

            String big = "x".repeat(10_000);
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO wide (body) VALUES ('small')");
                s.execute("INSERT INTO wide (body) VALUES ('" + big + "')"); // must not fail on the NOTIFY limit
            }
            ObjectMapper json = new ObjectMapper();
            Frame.Message first = engine.read(Frame.Message.class);
            assertEquals(1L, first.messageId(), "message ids are the connector's own sequence, from 1");
            JsonNode small = json.readTree(first.payload());
            assertEquals("small", small.get("body").asText());
            Frame.Message second = engine.read(Frame.Message.class);
            assertEquals(2L, second.messageId());
            JsonNode large = json.readTree(second.payload());
            assertEquals(big, large.get("body").asText());
            assertEquals(small.get("id").asLong() + 1, large.get("id").asLong());

            engine.send(new Frame.Ack(10, List.of(new Frame.StreamPoint(stream, 2))));
            command.stop();
            assertEquals(new Frame.Eos(stream), engine.read(Frame.Eos.class));
            engine.send(new Frame.Ack(1, List.of(new Frame.StreamPoint(stream, 2))));
            assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void reconnectsToPostgresAndListensAgainAfterItsConnectionIsKilled() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE flaky (id bigserial PRIMARY KEY, amount numeric(14,2) NOT NULL)");
        }
        try (FakeEngine engine = new FakeEngine()) {
            PostgresSourceCommand command = new PostgresSourceCommand();
            new CommandLine(command).parseArgs("--connection", postgres.url(), "--table", "flaky", "--stream", "flaky-stream", "--capture", "notify",
                    "--engine-port", "" + engine.port());
            CompletableFuture<Integer> exit = CommandThreads.start(command);
            engine.acceptAndOk(100);
            long stream = StreamIds.of("flaky-stream");
            engine.read(Frame.Notify.class);
            engine.send(new Frame.NotifyAck(true, stream, 41)); // resume after the engine's point
            awaitListening("wallaby_flaky");
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN \"wallaby_flaky\"'");
            }
            Thread.sleep(300);
            awaitListening("wallaby_flaky");
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO flaky (amount) VALUES (12.50)");
            }
            Frame.Message message = engine.read(Frame.Message.class);
            assertEquals(42L, message.messageId());
            assertEquals(12.5, new ObjectMapper().readTree(message.payload()).get("amount").asDouble());
            engine.send(new Frame.Ack(10, List.of(new Frame.StreamPoint(stream, 42))));
            command.stop();
            engine.read(Frame.Eos.class);
            engine.send(new Frame.Ack(1, List.of(new Frame.StreamPoint(stream, 42))));
            assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        }
    }

    private static void awaitListening(String channel) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (count("SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN \"" + channel + "\"'") == 0) {
            assertTrue(System.nanoTime() < deadline, "the connector never started listening");
            Thread.sleep(20);
        }
    }
}
