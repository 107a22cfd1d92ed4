package io.wallaby.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.UnixOperatingSystemMXBean;
import com.sun.net.httpserver.HttpServer;
import io.wallaby.apps.AlertStateless;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.wallaby.engine.SourceSessionTest.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The admin port: /health, /metrics and /status while a source and a sink flow through the engine. */
class AdminEndpointsTest {

    private static final String STREAM = "transactions";
    private static final String SINK_STREAM = "alert_log/" + STREAM;
    private static final long SINK_ID = StreamIds.of(SINK_STREAM);

    private final HttpClient http = HttpClient.newHttpClient();
    private EngineServer engine;

    @BeforeEach
    void start() throws Exception {
        engine = new EngineServer(EngineConfig.onFreePorts().withAdminPort(0), new AlertStateless()).start();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.adminPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the sample whose name and labels are exactly {@code sample}. */
    private static double sample(String metrics, String sample) {
        return metrics.lines().filter(line -> line.startsWith(sample + " ")).findFirst()
                .map(line -> Double.parseDouble(line.substring(sample.length() + 1).trim()))
                .orElseGet(() -> fail("no sample " + sample + " in\n" + metrics));
    }

    /** Four transactions, two alerts delivered and committed; both connectors stay connected. */
    @Test
    void everyEndpointDescribesTheEngineAtWork() throws Exception {
        try (Peer source = Peer.connect(engine.sourcePort())) {
            source.hello("");
            source.notifyStream(STREAM);
            source.send(message(STREAM, 1, "{\"id\":1,\"amount\":5000}"), message(STREAM, 2, "{\"id\":2,\"amount\":1}"),
                    message(STREAM, 3, "{\"id\":3,\"amount\":-2000}"), message(STREAM, 4, "{\"id\":4,\"amount\":\"x\"}"));
            try (Peer sink = Peer.connect(engine.sinkPort())) {
                sink.hello("");
                sink.expect(Frame.Notify.class);
                sink.send(new Frame.NotifyAck(true, SINK_ID, Frame.U64_MAX), new Frame.Ack(100, List.of()));
                List<Frame.Message> alerts = sink.messages(2);
                sink.send(new Frame.Ack(0, List.of(new Frame.StreamPoint(SINK_ID, alerts.get(1).messageId()))));
                source.awaitAck(StreamIds.of(STREAM), 4);

                HttpResponse<String> health = get("/health");
                assertEquals(200, health.statusCode());
                assertEquals("ok\n", health.body());

                HttpResponse<String> metrics = get("/metrics");
                assertEquals(200, metrics.statusCode());
                assertTrue(metrics.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
                String text = metrics.body();
                assertEquals(4, sample(text, "wallaby_stream_messages_in_total{stream=\"transactions\"}"));
                assertEquals(4, sample(text, "wallaby_stream_acknowledged{stream=\"transactions\"}"));
                assertEquals(0, sample(text, "wallaby_sink_outputs_pending{stream=\"alert_log/transactions\"}"));
                assertEquals(3 * 65536, sample(text, "wallaby_sink_committed{stream=\"alert_log/transactions\"}"));
                assertEquals(2, sample(text, "wallaby_outputs_produced_total"));
                assertEquals(1, sample(text, "wallaby_decode_failures_total"));
                assertEquals(1, sample(text, "wallaby_connections{port=\"sink\"}"));
                assertEquals(1, sample(text, "wallaby_connections{port=\"source\"}"));
                // HELLO, NOTIFY and four MESSAGEs came in on the source port at least.
                assertTrue(sample(text, "wallaby_frames_in_total{port=\"source\"}") >= 6, text);
                assertTrue(sample(text, "wallaby_frames_out_total{port=\"sink\"}") >= 4, text);
                assertEquals(0, sample(text, "wallaby_limit_hits_total{kind=\"handshake_timeout\"}"));
                assertEquals(0, sample(text, "wallaby_protocol_errors_total{kind=\"framing\"}"));

                JsonNode status = new ObjectMapper().readTree(get("/status").body());
                assertEquals("accepting", status.get("phase").asText());
                assertEquals(2, status.get("connectors").size());
                for (JsonNode connector : status.get("connectors")) {
                    assertEquals("test", connector.get("program").asText());
                    assertEquals("peer", connector.get("instance").asText());
                    assertTrue(connector.get("remoteAddress").asText().contains("127.0.0.1"), connector.toString());
                    assertTrue(connector.get("connectedSince").asText().matches("\\d{4}-.*Z"), connector.toString());
                }
                JsonNode sourceConnector = status.get("connectors").get(0);
                assertEquals("test/peer@" + sourceConnector.get("remoteAddress").asText(),
                        sourceConnector.get("name").asText());
                JsonNode sourceStream = status.get("sourceStreams").get(0);
                assertEquals(STREAM, sourceStream.get("name").asText());
                assertEquals(4, sourceStream.get("messagesIn").asLong());
                assertEquals("4", sourceStream.get("lastMessageId").asText());
                assertEquals("4", sourceStream.get("acknowledged").asText());
                assertEquals(0, sourceStream.get("inFlight").asInt());
                assertTrue(sourceStream.get("connection").asText().startsWith("test/peer@"), sourceStream.toString());
                // The fields the web view added: where its outputs go, what waits, what failed, whether it is stuck.
                assertEquals(SINK_STREAM, sourceStream.get("sinkStream").asText());
                assertEquals(0, sourceStream.get("acknowledgementLag").asLong());
                assertEquals(1, sourceStream.get("deadLetters").asLong()); // the amount "x"
                assertEquals(0, sourceStream.get("secondsWithoutProgress").asDouble());
                assertEquals(false, sourceStream.get("stuck").asBoolean());
                JsonNode sinkStream = status.get("sinkStreams").get(0);
                assertEquals(SINK_STREAM, sinkStream.get("name").asText());
                assertEquals(0, sinkStream.get("pendingOutputs").asInt());
                assertEquals(String.valueOf(3 * 65536), sinkStream.get("committed").asText());
                assertEquals(98, sinkStream.get("credits").asLong());
                assertEquals(2, sinkStream.get("outputsAppended").asLong());
                assertEquals(2, sinkStream.get("outputsCommitted").asLong());
                assertEquals(false, sinkStream.get("stuck").asBoolean());
                assertTrue(status.get("time").asText().matches("\\d{4}-.*Z"), status.toString());
                assertEquals(5.0, status.get("stuckAfterSeconds").asDouble());
                assertEquals(0, status.get("sourceAdmins").size());
                // Both connectors are named as the streams name the connection that holds them.
                List<String> names = new ArrayList<>();
                status.get("connectors").forEach(c -> names.add(c.get("name").asText()));
                assertTrue(names.contains(sourceStream.get("connection").asText()), names.toString());
                assertTrue(names.contains(sinkStream.get("connection").asText()), names.toString());
                assertEquals(4, status.get("counters").get("messagesProcessed").asLong());
                assertEquals(2, status.get("counters").get("outputsProduced").asLong());
            }
        }
    }

    /** What Prometheus users expect of any JVM process, beside the engine's own figures. */
    @Test
    void metricsCarryTheJvmAndProcessFigures() throws Exception {
        String text = get("/metrics").body();
        List<String> expected = new ArrayList<>(List.of("jvm_memory_used_bytes", "jvm_memory_max_bytes",
                "jvm_gc_max_data_size_bytes", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
                "system_cpu_count", "process_cpu_usage", "process_uptime_seconds", "process_start_time_seconds"));
        // File descriptors only where the JVM can count them.
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean) {
            expected.addAll(List.of("process_files_open_files", "process_files_max_files"));
        }
        for (String name : expected) {
            assertTrue(text.contains("\n" + name + " ") || text.contains("\n" + name + "{"), name + " missing:\n" + text);
        }
    }

    /** A source admin port (a stand-in answering as the postgres source does): its slot's lag shows in /status. */
    @Test
    void aSourceAdminsSlotLagShowsInStatus() throws Exception {
        HttpServer sourceAdmin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        sourceAdmin.createContext("/metrics", exchange -> {
            byte[] body = ("wallaby_source_slot_lag_bytes{slot=\"wallaby_transactions\",stream=\"transactions\"} 8192.0\n"
                    + "wallaby_source_lag_seconds{slot=\"wallaby_transactions\",stream=\"transactions\"} 0.5\n")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        sourceAdmin.start();
        String address = "http://127.0.0.1:" + sourceAdmin.getAddress().getPort();
        try (EngineServer withSource = new EngineServer(EngineConfig.onFreePorts().toBuilder().adminPort(0)
                .sourceAdmins(List.of(address)).build(), new AlertStateless()).start()) {
            ObjectMapper json = new ObjectMapper();
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            JsonNode admin;
            do {
                HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + withSource.adminPort() + "/status")).build(), HttpResponse.BodyHandlers.ofString());
                admin = json.readTree(status.body()).get("sourceAdmins").get(0);
                if (admin.get("reachable").asBoolean()) {
                    break;
                }
                Thread.sleep(50); // the engine reads the source once a second
            } while (System.nanoTime() < deadline);
            assertEquals(address, admin.get("url").asText());
            assertTrue(admin.get("reachable").asBoolean(), admin.toString());
            JsonNode stream = admin.get("streams").get(0);
            assertEquals("transactions", stream.get("stream").asText());
            assertEquals("wallaby_transactions", stream.get("slot").asText());
            assertEquals(8192, stream.get("slotLagBytes").asDouble());
            assertEquals(8192, admin.get("maxSlotLagBytes").asDouble());
            assertEquals(0.5, stream.get("lagSeconds").asDouble());
            assertTrue(stream.get("retainedWalBytes").isNull(), stream.toString());
        } finally {
            sourceAdmin.stop(0);
        }
    }

    @Test
    void healthSaysWhyWhileDrainingAndUnknownPathsAreNotFound() throws Exception {
        assertEquals(404, get("/nothing-here").statusCode());
        assertTrue(engine.drain(Duration.ZERO));
        HttpResponse<String> health = get("/health");
        assertEquals(503, health.statusCode());
        assertTrue(health.body().startsWith("draining"), health.body());
    }
}
