package io.wallaby.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wallaby.apps.AlertStateless;
import io.wallaby.protocol.Frame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

import static io.wallaby.engine.SourceSessionTest.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The per-second rates of /status, over a one-second window (sampled every 100 ms) so that the test
 * need not wait ten seconds. The bounds are loose on purpose: they check that the rate follows the
 * traffic, not the scheduler's punctuality.
 */
class StatusRatesTest {

    private static final String STREAM = "transactions";
    private static final Duration WINDOW = Duration.ofSeconds(1);
    private static final int MESSAGES = 200;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private EngineServer engine;

    @BeforeEach
    void start() throws Exception {
        engine = new EngineServer(EngineConfig.onFreePorts().withAdminPort(0), new AlertStateless(), WINDOW).start();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    /** Polls /status until {@code condition} holds, for at most ten windows; returns that status. */
    private JsonNode awaitStatus(Predicate<JsonNode> condition, String what) throws Exception {
        long deadline = System.nanoTime() + WINDOW.multipliedBy(10).toNanos();
        JsonNode status = null;
        do {
            try {
                status = json.readTree(http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + engine.adminPort() + "/status")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
            } catch (IOException e) {
                // The admin port closes every connection after its answer; polling this often, the
                // client now and then reuses one it has not yet seen closed. The next poll will do.
                Thread.sleep(20);
                continue;
            }
            if (condition.test(status)) {
                return status;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return fail("no " + what + " within " + WINDOW.multipliedBy(10) + "; last status " + status);
    }

    private static double streamRate(JsonNode status) {
        JsonNode streams = status.get("sourceStreams");
        return streams.isEmpty() ? 0 : streams.get(0).get("messagesPerSecond").asDouble();
    }

    @Test
    void ratesFollowTheTrafficAndFallToZeroWhenItStops() throws Exception {
        JsonNode idle = awaitStatus(s -> true, "status");
        assertEquals(0, idle.get("counters").get("messagesPerSecond").asDouble());
        try (Peer source = Peer.connect(engine.sourcePort())) {
            source.hello("");
            source.notifyStream(STREAM);
            Frame[] messages = new Frame[MESSAGES];
            for (int i = 0; i < MESSAGES; i++) {
                // Every other transaction is big enough to raise an alert: half as many outputs as messages.
                messages[i] = message(STREAM, i + 1, "{\"id\":" + (i + 1) + ",\"amount\":" + (i % 2 == 0 ? 5000 : 1) + "}");
            }
            source.send(messages);

            JsonNode busy = awaitStatus(s -> s.get("counters").get("messagesProcessed").asLong() == MESSAGES
                    && s.get("counters").get("messagesPerSecond").asDouble() > 0 && streamRate(s) > 0, "rate");
            // At most every message within one sampling interval (100 ms), 10 × MESSAGES per second; twice
            // that, since a fixed-rate task that ran late runs the next one early.
            double ceiling = MESSAGES * 20.0;
            double processed = busy.get("counters").get("messagesPerSecond").asDouble();
            assertTrue(processed <= ceiling, busy.toString());
            double in = streamRate(busy);
            assertTrue(in > 0 && in <= ceiling, busy.toString());
            double outputs = busy.get("counters").get("outputsPerSecond").asDouble();
            assertTrue(outputs > 0 && outputs <= ceiling / 2, busy.toString());

            JsonNode quiet = awaitStatus(s -> s.get("counters").get("messagesPerSecond").asDouble() == 0
                    && s.get("counters").get("outputsPerSecond").asDouble() == 0 && streamRate(s) == 0, "zero rate");
            assertEquals(MESSAGES, quiet.get("counters").get("messagesProcessed").asLong());
        }
    }
}
