package io.wallaby.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A running engine's {@code GET /status} (its {@code --admin-port}), and a wait for the moment its source
 * streams have nothing left in flight. The engine acknowledges a source message only once every output it
 * gave is committed by a sink (and, for a stateful application, its state is in a checkpoint), so when every
 * stream acknowledged the last id it saw, nothing more is on its way to the sink.
 */
public final class EngineStatus {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI status;
    private final HttpClient http = HttpClient.newHttpClient();

    public EngineStatus(int adminPort) {
        this.status = URI.create("http://127.0.0.1:" + adminPort + "/status");
    }

    /** The engine's status now. */
    public JsonNode read() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(status).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(status + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /**
     * Waits until the engine lists every one of {@code streams} as a source stream that has seen a message and
     * acknowledged the last one it saw, with nothing in flight. An engine that is briefly unreachable (it is
     * being restarted) is asked again.
     *
     * @throws IllegalStateException with the streams still behind when {@code timeout} passes
     */
    public void awaitAcknowledged(List<String> streams, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> behind = streams;
        while (true) {
            try {
                behind = behind(read().path("sourceStreams"), streams);
                if (behind.isEmpty()) {
                    return;
                }
            } catch (IOException unreachable) {
                behind = List.of("engine unreachable: " + unreachable);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the engine did not acknowledge everything it saw within " + timeout
                        + "; still behind: " + behind);
            }
            Thread.sleep(100); // polling the engine for a condition, not waiting for time to pass
        }
    }

    /**
     * Each of {@code streams} not yet done, with its figures; empty when all are.
     *
     * @param sourceStreams the {@code sourceStreams} of one engine's status, or of several engines' together
     */
    static List<String> behind(Iterable<JsonNode> sourceStreams, List<String> streams) {
        List<String> behind = new ArrayList<>();
        for (String name : streams) {
            JsonNode stream = null;
            for (JsonNode s : sourceStreams) {
                if (name.equals(s.path("name").asText())) {
                    stream = s;
                }
            }
            if (stream == null) {
                behind.add(name + " (not open)");
                continue;
            }
            String last = stream.path("lastMessageId").asText();
            String acknowledged = stream.path("acknowledged").asText();
            int inFlight = stream.path("inFlight").asInt();
            if ("none".equals(last) || !last.equals(acknowledged) || inFlight != 0) {
                behind.add(name + " (last id " + last + ", acknowledged " + acknowledged + ", in flight " + inFlight + ")");
            }
        }
        return behind;
    }
}
