package io.wallaby.source.postgres;

import io.wallaby.connector.ConnectorCommandLine;
import io.wallaby.connector.FakeEngine;
import io.wallaby.protocol.Frame;
import io.wallaby.source.SourceMain;
import io.wallaby.source.postgres.logical.LogicalPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Operating a logical capture's slot: what an operator sees and does (metrics, heartbeats, a slot that
 * vanished or was moved, uninstalling, and how {@code --capture auto} chooses).
 */
class LogicalSlotOperationsTest {

    private static LogicalPostgres pg;
    private static String url;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = LogicalPostgres.start();
        url = pg.url();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    private static RunningSource start(FakeEngine engine, String stream, long point, String... flags) throws Exception {
        List<String> args = new ArrayList<>(List.of("--connection", url, "--engine-port", "" + engine.port(),
                "--shutdown-timeout", "2s", "--table", stream));
        args.addAll(List.of(flags));
        return RunningSource.start(engine, stream, point, 100_000, args);
    }

    private static void execute(String... statements) throws SQLException {
        pg.execute(statements);
    }

    private static String text(String query) throws SQLException {
        return pg.text(query);
    }

    @Test
    void anIdleSlotKeepsUpWithOtherTablesAndTheAdminPortShowsIt() throws Exception {
        execute("CREATE TABLE quiet (id bigserial PRIMARY KEY, amount numeric)", "CREATE TABLE noisy (v int)");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (FakeEngine engine = new FakeEngine()) {
            RunningSource source = start(engine, "quiet", Frame.U64_MAX, "--capture", "logical", "--status-interval", "200ms",
                    "--heartbeat-interval", "200ms", "--admin-port", "" + port);
            pg.awaitSlotActive("wallaby_quiet");
            execute("INSERT INTO quiet (amount) VALUES (1)");
            engine.read(Frame.Message.class);
            engine.send(new Frame.Ack(10, List.of(new Frame.StreamPoint(source.streamId(), 1))));
            execute("INSERT INTO noisy SELECT g FROM generate_series(1, 10000) g");
            String after = text("SELECT pg_current_wal_lsn()::text");
            LogicalPostgres.await("the idle slot is confirmed past the other table's writes", Duration.ofSeconds(30), () -> "t".equals(text(
                    "SELECT confirmed_flush_lsn >= '" + after + "' FROM pg_replication_slots WHERE slot_name = 'wallaby_quiet'")));

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("wallaby_source_messages_sent_total{slot=\"wallaby_quiet\",stream=\"quiet\"} 1.0"), metrics);
            assertTrue(metrics.contains("wallaby_source_slot_active{slot=\"wallaby_quiet\",stream=\"quiet\"} 1.0"), metrics);
            assertTrue(metrics.contains("wallaby_source_slot_retained_wal_bytes"), metrics);
            source.stopAcknowledging(engine, 1);
        }
    }

    @Test
    void aSlotThatDisappearedOrWasMovedIsAClearErrorNeverASilentRestart() throws Exception {
        execute("CREATE TABLE gone (id bigserial PRIMARY KEY, amount numeric)");
        try (FakeEngine engine = new FakeEngine()) {
            RunningSource source = start(engine, "gone", Frame.U64_MAX, "--capture", "logical");
            pg.awaitSlotActive("wallaby_gone");
            source.stopAcknowledging(engine, 0);
        }
        execute("INSERT INTO gone (amount) VALUES (1)");
        execute("SELECT pg_replication_slot_advance('wallaby_gone', pg_current_wal_lsn())");
        try (FakeEngine engine = new FakeEngine()) {
            String message = start(engine, "gone", 0, "--capture", "logical").failure(engine);
            assertTrue(message.contains("was moved to") && message.contains("--uninstall"), message);
        }
        execute("SELECT pg_drop_replication_slot('wallaby_gone')");
        try (FakeEngine engine = new FakeEngine()) {
            String message = start(engine, "gone", 0, "--capture", "logical").failure(engine);
            assertTrue(message.contains("does not exist any more") && message.contains("--uninstall"), message);
        }
        // What the message says to do: remove the capture, and start again.
        assertEquals(0, ConnectorCommandLine.execute(new SourceMain(), "postgres", "--connection", url, "--table", "gone",
                "--uninstall"));
        assertEquals("0", text("SELECT count(*) FROM pg_publication WHERE pubname = 'wallaby_gone'"));
        assertEquals("f", text("SELECT to_regclass('wallaby.slot_offsets') IS NOT NULL"),
                "nothing else used the wallaby schema, so it is gone too");
        try (FakeEngine engine = new FakeEngine()) {
            RunningSource again = start(engine, "gone", 0, "--capture", "logical", "--snapshot", "initial");
            Frame.Message row = engine.read(Frame.Message.class);
            assertEquals(1, row.messageId());
            assertTrue(new String(row.payload()).startsWith("{\"op\":\"r\""), "the snapshot sends the row again");
            again.stopAcknowledging(engine, 1);
        }
    }

    @Test
    void autoPicksLogicalWhereTheServerAllowsItButNeverMovesAStreamFromTheTableCapture() throws Exception {
        execute("CREATE TABLE chosen (id bigserial PRIMARY KEY, amount numeric)",
                "CREATE TABLE triggered (id bigserial PRIMARY KEY, amount numeric)");
        try (FakeEngine engine = new FakeEngine()) {
            RunningSource source = start(engine, "chosen", Frame.U64_MAX);
            pg.awaitSlotActive("wallaby_chosen"); // a logical slot was made
            source.stopAcknowledging(engine, 0);
        }
        try (Connection c = DriverManager.getConnection(url)) {
            new ChangeTable("triggered", "wallaby_triggered").install(c, false);
        }
        try (FakeEngine engine = new FakeEngine()) {
            RunningSource source = start(engine, "triggered", Frame.U64_MAX);
            execute("INSERT INTO triggered (amount) VALUES (7)");
            Frame.Message row = engine.read(Frame.Message.class);
            assertTrue(new String(row.payload()).contains("\"amount\": 7"), "a flat row from the table capture: "
                    + new String(row.payload()));
            assertEquals("0", text("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'wallaby_triggered'"));
            source.stopAcknowledging(engine, 1);
        }
    }
}
