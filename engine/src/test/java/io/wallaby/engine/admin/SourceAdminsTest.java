package io.wallaby.engine.admin;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The engine reading sources' admin ports: a stand-in admin port (the JDK's HTTP server) answers /metrics as the
 * postgres source does, then stops, then answers something that is not Prometheus text.
 */
class SourceAdminsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(15);

    private volatile String body = PrometheusTextTest.SOURCE_SCRAPE;
    private volatile int code = 200;
    private HttpServer server;
    private SourceAdmins admins;

    private String startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/metrics", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(code, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (admins != null) {
            admins.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    /** Reads status() until {@code condition} holds; the reader thread refreshes it once a second. */
    private SourceAdmins.SourceAdminStatus await(Predicate<SourceAdmins.SourceAdminStatus> condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        SourceAdmins.SourceAdminStatus status;
        do {
            status = admins.status().get(0);
            if (condition.test(status)) {
                return status;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return fail("no " + what + " within " + PATIENCE + "; last " + status);
    }

    @Test
    void theSlotFiguresAreReadThenKeptMarkedUnreachableWhenTheSourceGoes() throws Exception {
        String address = startServer();
        admins = new SourceAdmins(List.of(address));
        SourceAdmins.SourceAdminStatus before = admins.status().get(0);
        assertEquals(address, before.url());
        assertEquals(-1, before.ageSeconds());
        admins.start();

        SourceAdmins.SourceAdminStatus read = await(SourceAdmins.SourceAdminStatus::reachable, "reading");
        assertNull(read.error());
        assertEquals(2, read.streams().size());
        assertEquals(4096.0, read.streams().get(0).slotLagBytes());
        assertEquals(4096.0, read.maxSlotLagBytes(), "the one slot lag known is the largest");
        assertTrue(read.ageSeconds() >= 0 && read.ageSeconds() < 5, read.toString());

        server.stop(0);
        SourceAdmins.SourceAdminStatus gone = await(s -> !s.reachable(), "failure");
        assertTrue(gone.error().startsWith("cannot reach " + address + "/metrics"), gone.error());
        assertEquals(read.streams(), gone.streams(), "the last figures stay");
    }

    /** A partitioned source: a stream per partition, each with its own slot, and the largest lag over them. */
    @Test
    void aPartitionedSourceGivesEachSlotAndTheLargestLag() throws Exception {
        body = """
                wallaby_source_slot_lag_bytes{slot="wallaby_transactions_0",stream="transactions.0"} 4096.0
                wallaby_source_slot_lag_bytes{slot="wallaby_transactions_1",stream="transactions.1"} 65536.0
                wallaby_source_slot_lag_bytes{slot="wallaby_transactions_2",stream="transactions.2"} 0.0
                wallaby_source_slot_active{slot="wallaby_transactions_2",stream="transactions.2"} 1.0
                """;
        admins = new SourceAdmins(List.of(startServer()));
        assertNull(admins.status().get(0).maxSlotLagBytes(), "nothing known before the first reading");
        admins.start();
        SourceAdmins.SourceAdminStatus read = await(SourceAdmins.SourceAdminStatus::reachable, "reading");
        assertEquals(List.of("transactions.0", "transactions.1", "transactions.2"),
                read.streams().stream().map(SourceAdmins.StreamFigures::stream).toList());
        assertEquals(List.of("wallaby_transactions_0", "wallaby_transactions_1", "wallaby_transactions_2"),
                read.streams().stream().map(SourceAdmins.StreamFigures::slot).toList());
        assertEquals(List.of(4096.0, 65536.0, 0.0),
                read.streams().stream().map(SourceAdmins.StreamFigures::slotLagBytes).toList());
        assertEquals(65536.0, read.maxSlotLagBytes());

        body = "wallaby_source_lag_seconds{stream=\"transactions.0\"} 0.5\n"; // a table capture: no slot at all
        assertNull(await(s -> s.streams().size() == 1, "the slotless reading").maxSlotLagBytes());
    }

    @Test
    void anAnswerThatIsNotAScrapeIsAnErrorThatSaysWhy() throws Exception {
        body = "<html>not metrics</html>";
        admins = new SourceAdmins(List.of(startServer() + "/metrics"));
        admins.start();
        SourceAdmins.SourceAdminStatus status = await(s -> s.error().contains("is not a Prometheus endpoint"),
                "error");
        assertTrue(status.error().endsWith("is not a Prometheus endpoint: line 1 is not a Prometheus sample (the "
                + "value metrics</html> is not a number): <html>not metrics</html>"), status.error());

        body = PrometheusTextTest.SOURCE_SCRAPE;
        code = 503;
        assertTrue(await(s -> s.error().endsWith("answered HTTP 503"), "HTTP error").streams().isEmpty());
        code = 200;
        assertEquals(2, await(SourceAdmins.SourceAdminStatus::reachable, "recovery").streams().size());
    }

    @Test
    void addressesAreCheckedBeforeAnythingIsRead() {
        assertNull(SourceAdmins.problem("http://127.0.0.1:7400"));
        assertNull(SourceAdmins.problem("http://localhost:7400/"));
        assertNull(SourceAdmins.problem("http://db-host:7400/metrics"));
        assertTrue(SourceAdmins.problem("ftp://127.0.0.1:7400").contains("must start with http://"));
        assertTrue(SourceAdmins.problem("http://127.0.0.1").contains("needs a host and a port"));
        assertTrue(SourceAdmins.problem("http://127.0.0.1:7400/status").contains("not /status"));
        assertTrue(SourceAdmins.problem("http://127.0.0.1:7400/?x=1").contains("not /?x=1"));
        assertTrue(SourceAdmins.problem("http://[bad").contains("is not a URL"));
    }
}
