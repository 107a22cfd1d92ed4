package io.wallaby.source.postgres.admin;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.wallaby.connector.postgres.ConnectionString;
import io.wallaby.source.postgres.logical.LogicalPostgres;
import io.wallaby.source.postgres.logical.SlotStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin port over real HTTP, with the slot's figures from a real (embedded) PostgreSQL. */
class SourceAdminServerTest {

    private static final HttpClient http = HttpClient.newHttpClient();
    private static LogicalPostgres pg;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = LogicalPostgres.start();
        pg.createSlot("wallaby_admin");
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    /** The capture's side, as simple as the contract allows. */
    private static final class Figures implements SourceFigures {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong acknowledged = new AtomicLong();
        volatile double lag;
        volatile Health health = Health.OK;

        @Override
        public long messagesSent() {
            return sent.get();
        }

        @Override
        public long messagesAcknowledged() {
            return acknowledged.get();
        }

        @Override
        public double lagSeconds() {
            return lag;
        }

        @Override
        public Health health() {
            return health;
        }
    }

    private static HttpResponse<String> get(SourceAdminServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Metrics scrape(SourceAdminServer server) throws Exception {
        HttpResponse<String> response = get(server, "/metrics");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        return new Metrics(response.body());
    }

    @Test
    void healthFollowsTheCapture() throws Exception {
        Figures figures = new Figures();
        try (SourceAdminServer server = SourceAdminServer.start("127.0.0.1", 0, "admin", "wallaby_admin",
                ConnectionString.parse(pg.connectionString()), figures)) {
            assertTrue(server.port() > 0);
            HttpResponse<String> ok = get(server, "/health");
            assertEquals(200, ok.statusCode());
            assertEquals("ok\n", ok.body());

            figures.health = SourceFigures.Health.down("PostgreSQL connection lost: connection refused; reconnecting");
            HttpResponse<String> down = get(server, "/health");
            assertEquals(503, down.statusCode());
            assertEquals("PostgreSQL connection lost: connection refused; reconnecting\n", down.body());

            figures.health = SourceFigures.Health.OK;
            assertEquals(200, get(server, "/health").statusCode());
            assertEquals(404, get(server, "/status").statusCode());
            assertEquals(405, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/health")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    @Test
    void metricsMatchTheFiguresAndTheSlot() throws Exception {
        Figures figures = new Figures();
        figures.sent.set(1200);
        figures.acknowledged.set(1100);
        figures.lag = 2.5;
        pg.writeWal(1); // so the slot has something to lag behind
        // A long cache, so what the scrape shows is the one reading the poller holds, compared below.
        SlotStatusPoller poller = new SlotStatusPoller("wallaby_admin", pg::connect, Duration.ofHours(1));
        try (SourceAdminServer server = SourceAdminServer.start("127.0.0.1", 0, "admin", poller, figures)) {
            Metrics metrics = scrape(server);
            Map<String, String> tags = Map.of("stream", "admin", "slot", "wallaby_admin");
            assertEquals(1200, metrics.value("wallaby_source_messages_sent_total", tags));
            assertEquals(1100, metrics.value("wallaby_source_messages_acknowledged_total", tags));
            assertEquals(2.5, metrics.value("wallaby_source_lag_seconds", tags));

            SlotStatus read = poller.latest().slot("wallaby_admin");
            SlotStatus now;
            try (Connection db = pg.connect()) {
                now = SlotStatus.read(db, "wallaby_admin").orElseThrow();
            }
            // Nothing reads the slot, so these stay put; the current position may move (background WAL).
            assertEquals(now.restartLsn(), read.restartLsn());
            assertEquals(now.confirmedFlushLsn(), read.confirmedFlushLsn());
            assertEquals("reserved", now.walStatus());
            assertTrue(read.lagBytes() >= 1024 * 1024, read::toString);

            assertEquals(0, metrics.value("wallaby_source_slot_active", tags));
            assertEquals(1, metrics.value("wallaby_source_slot_wal_status", with(tags, "status", "reserved")));
            for (String other : new String[]{"extended", "unreserved", "lost", "missing"}) {
                assertEquals(0, metrics.value("wallaby_source_slot_wal_status", with(tags, "status", other)), other);
            }
            assertEquals((double) read.retainedWalBytes(), metrics.value("wallaby_source_slot_retained_wal_bytes", tags));
            assertEquals((double) read.lagBytes(), metrics.value("wallaby_source_slot_lag_bytes", tags));
            assertEquals((double) now.confirmedFlushLsn(), metrics.value("wallaby_source_slot_confirmed_lsn", tags));
            assertTrue(Double.isNaN(metrics.value("wallaby_source_slot_safe_wal_bytes", tags)),
                    "max_slot_wal_keep_size is unlimited: no safe size");
            assertEquals(0, metrics.value("wallaby_source_slot_query_failures_total", tags));

            // Within the cache's age a scrape does not query again: more WAL, same lag.
            pg.writeWal(1);
            assertEquals((double) read.lagBytes(), scrape(server).value("wallaby_source_slot_lag_bytes", tags));

            // And the JVM's own meters.
            for (String jvm : new String[]{"jvm_memory_used_bytes", "jvm_gc_max_data_size_bytes",
                    "jvm_threads_live_threads", "jvm_classes_loaded_classes", "system_cpu_count",
                    "process_uptime_seconds"}) {
                assertTrue(metrics.text().contains("\n" + jvm), jvm + " missing:\n" + metrics.text());
            }
        }
    }

    @Test
    void aMissingSlotSaysSo() throws Exception {
        try (SourceAdminServer server = SourceAdminServer.start("127.0.0.1", 0, "gone", "wallaby_gone",
                ConnectionString.parse(pg.connectionString()), new Figures())) {
            Metrics metrics = scrape(server);
            Map<String, String> tags = Map.of("stream", "gone", "slot", "wallaby_gone");
            assertEquals(1, metrics.value("wallaby_source_slot_wal_status", with(tags, "status", "missing")));
            assertEquals(0, metrics.value("wallaby_source_slot_wal_status", with(tags, "status", "reserved")));
            assertEquals(0, metrics.value("wallaby_source_slot_active", tags));
            assertTrue(Double.isNaN(metrics.value("wallaby_source_slot_lag_bytes", tags)));
        }
    }

    /**
     * A partitioned source's admin port: a series per partition stream, each tagged with its own slot and showing
     * that slot's figures (here one slot confirmed up to now, the other held back by 2 MB), the slots read by one
     * session; /health names the partition that is down.
     */
    @Test
    void aPartitionedSourceReportsEverySlotOnItsOwnSeries() throws Exception {
        pg.createSlot("wallaby_parts_0");
        pg.createSlot("wallaby_parts_1");
        pg.writeWal(2);
        pg.execute("SELECT pg_replication_slot_advance('wallaby_parts_0', pg_current_wal_lsn())");
        Figures first = new Figures();
        Figures second = new Figures();
        first.sent.set(10);
        second.sent.set(20);
        second.lag = 1.5;
        SlotStatusPoller poller = SlotStatusPoller.connectingTo(ConnectionString.parse(pg.connectionString()),
                List.of("wallaby_parts_0", "wallaby_parts_1"));
        try (SourceAdminServer server = SourceAdminServer.start("127.0.0.1", 0, List.of(
                new SourceAdminServer.Reported("parts.0", "wallaby_parts_0", first),
                new SourceAdminServer.Reported("parts.1", "wallaby_parts_1", second)), poller)) {
            Metrics metrics = scrape(server);
            Map<String, String> zero = Map.of("stream", "parts.0", "slot", "wallaby_parts_0");
            Map<String, String> one = Map.of("stream", "parts.1", "slot", "wallaby_parts_1");
            assertEquals(10, metrics.value("wallaby_source_messages_sent_total", zero));
            assertEquals(20, metrics.value("wallaby_source_messages_sent_total", one));
            assertEquals(0, metrics.value("wallaby_source_lag_seconds", zero));
            assertEquals(1.5, metrics.value("wallaby_source_lag_seconds", one));

            SlotStatusPoller.Reading read = poller.latest();
            assertEquals(2, read.slots().size(), read::toString);
            for (Map<String, String> tags : List.of(zero, one)) {
                SlotStatus slot = read.slot(tags.get("slot"));
                assertEquals((double) slot.lagBytes(), metrics.value("wallaby_source_slot_lag_bytes", tags));
                assertEquals((double) slot.confirmedFlushLsn(), metrics.value("wallaby_source_slot_confirmed_lsn", tags));
                assertEquals(1, metrics.value("wallaby_source_slot_wal_status", with(tags, "status", "reserved")));
                assertEquals(0, metrics.value("wallaby_source_slot_active", tags));
            }
            double held = metrics.value("wallaby_source_slot_lag_bytes", one);
            assertTrue(held - metrics.value("wallaby_source_slot_lag_bytes", zero) >= 2 * 1024 * 1024,
                    "each series shows its own slot:\n" + metrics.text());
            assertTrue(!metrics.text().contains("stream=\"parts\""), "no series of the whole source:\n" + metrics.text());
            assertEquals(1, pg.number("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                    + "'wallaby-source-admin'"), "one session reads every slot");

            assertEquals(200, get(server, "/health").statusCode());
            second.health = SourceFigures.Health.down("replication connection to PostgreSQL is down");
            HttpResponse<String> down = get(server, "/health");
            assertEquals(503, down.statusCode());
            assertEquals("parts.1: replication connection to PostgreSQL is down\n", down.body());
        } finally {
            LogicalPostgres.await("the poller's session to end", Duration.ofSeconds(30), () -> pg.number(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'wallaby-source-admin'") == 0);
            pg.execute("SELECT pg_drop_replication_slot('wallaby_parts_0')",
                    "SELECT pg_drop_replication_slot('wallaby_parts_1')");
        }
    }

    @Test
    void aStreamWhoseSlotIsNotReadIsRefused() {
        SlotStatusPoller poller = new SlotStatusPoller("wallaby_admin", pg::connect, Duration.ofSeconds(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SourceAdminServer.start(
                "127.0.0.1", 0, List.of(new SourceAdminServer.Reported("x.0", "wallaby_other", new Figures())), poller));
        assertEquals("stream x.0's slot wallaby_other is not among the slots read: [wallaby_admin]", e.getMessage());
    }

    @Test
    void aSourceWithoutASlotHasOnlyItsOwnFigures() throws Exception {
        Figures figures = new Figures();
        figures.sent.set(7);
        try (SourceAdminServer server = SourceAdminServer.start("127.0.0.1", 0, "table", null, figures)) {
            Metrics metrics = scrape(server);
            assertEquals(7, metrics.value("wallaby_source_messages_sent_total", Map.of("stream", "table")));
            assertTrue(!metrics.text().contains("wallaby_source_slot"), metrics.text());
        }
    }

    /**
     * The slot query failing (the poller's session killed, its role refused new ones) leaves the last values
     * in place, counts the failures and logs one warning for the whole run of them; then it recovers.
     */
    @Test
    void aFailingSlotQueryKeepsTheLastValuesAndLogsOnce() throws Exception {
        pg.execute("CREATE ROLE admin_reader LOGIN");
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(SlotStatusPoller.class);
        logged.start();
        logger.addAppender(logged);
        String url = "jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres?user=admin_reader";
        SlotStatusPoller poller = new SlotStatusPoller("wallaby_admin", () -> DriverManager.getConnection(url),
                Duration.ZERO); // every scrape queries
        try (SourceAdminServer server = SourceAdminServer.start("127.0.0.1", 0, "admin", poller, new Figures())) {
            Map<String, String> tags = Map.of("stream", "admin", "slot", "wallaby_admin");
            double confirmed = scrape(server).value("wallaby_source_slot_confirmed_lsn", tags);
            double lag = scrape(server).value("wallaby_source_slot_lag_bytes", tags);
            assertTrue(confirmed > 0 && lag >= 0);

            pg.execute("ALTER ROLE admin_reader NOLOGIN");
            pg.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'admin_reader'");
            LogicalPostgres.await("the slot query to fail", Duration.ofSeconds(30), () -> {
                scrape(server); // a scrape is what queries
                return poller.failures() > 0;
            });
            Metrics stale = scrape(server);
            scrape(server);
            Metrics stillStale = scrape(server);
            for (Metrics m : new Metrics[]{stale, stillStale}) {
                assertEquals(confirmed, m.value("wallaby_source_slot_confirmed_lsn", tags));
                assertEquals(1, m.value("wallaby_source_slot_wal_status", with(tags, "status", "reserved")));
            }
            assertTrue(stillStale.value("wallaby_source_slot_query_failures_total", tags) >= 3,
                    stillStale.text());
            assertEquals(1, logged.list.stream().filter(e -> e.getLevel() == Level.WARN).count(),
                    logged.list::toString);

            pg.execute("ALTER ROLE admin_reader LOGIN");
            LogicalPostgres.await("the slot query to work again", Duration.ofSeconds(30), () -> {
                scrape(server);
                return logged.list.stream().anyMatch(e -> e.getFormattedMessage().contains("works again"));
            });
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void closeStopsListeningAndEndsTheSlotSession() throws Exception {
        SourceAdminServer server = SourceAdminServer.start("127.0.0.1", 0, "closing", "wallaby_admin",
                ConnectionString.parse(pg.connectionString()), new Figures());
        scrape(server); // opens the poller's connection
        assertEquals(1, pg.number("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'wallaby-source-admin'"));
        server.close();
        server.close(); // twice is fine
        assertThrows(ConnectException.class, () -> get(server, "/health"));
        LogicalPostgres.await("the poller's session to end", Duration.ofSeconds(30), () -> pg.number(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'wallaby-source-admin'") == 0);
    }

    private static Map<String, String> with(Map<String, String> tags, String key, String value) {
        java.util.HashMap<String, String> all = new java.util.HashMap<>(tags);
        all.put(key, value);
        return all;
    }
}
