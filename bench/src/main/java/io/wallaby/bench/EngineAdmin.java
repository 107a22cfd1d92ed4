package io.wallaby.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The engine's admin port as the benchmark reads it: counters from {@code /metrics} (Prometheus text). */
final class EngineAdmin {

    private final HttpClient http = HttpClient.newHttpClient();
    private final HttpRequest metrics;

    EngineAdmin(int port) {
        metrics = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
    }

    /** wallaby_stream_messages_in_total of {@code stream}: messages the engine has taken in; 0 before the first. */
    long messagesIn(String stream) throws IOException, InterruptedException {
        String label = "stream=\"" + stream + "\"";
        for (String line : http.send(metrics, HttpResponse.BodyHandlers.ofString()).body().split("\n")) {
            if (line.startsWith("wallaby_stream_messages_in_total") && line.contains(label)) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
