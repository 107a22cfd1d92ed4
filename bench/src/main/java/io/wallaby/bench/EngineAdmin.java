package io.wallaby.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The engine's admin port as the benchmark reads it: counters from {@code /metrics} (Prometheus text), {@code /status}. */
final class EngineAdmin {

    private static final Pattern STATE_ENTRIES = Pattern.compile("\"stateEntries\"\\s*:\\s*(\\d+)");

    private final HttpClient http = HttpClient.newHttpClient();
    private final HttpRequest metrics;
    private final HttpRequest status;

    EngineAdmin(int port) {
        // A timeout, so that an engine lost in garbage collection fails the run instead of hanging it.
        metrics = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(30)).build();
        status = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status"))
                .timeout(Duration.ofSeconds(30)).build();
    }

    /** wallaby_stream_messages_in_total of {@code stream}: messages the engine has taken in; 0 before the first. */
    long messagesIn(String stream) throws IOException, InterruptedException {
        String label = "stream=\"" + stream + "\"";
        for (String line : scrape().split("\n")) {
            if (line.startsWith("wallaby_stream_messages_in_total") && line.contains(label)) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    /** The Prometheus text of /metrics. */
    String scrape() throws IOException, InterruptedException {
        return http.send(metrics, HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The value of the unlabelled sample {@code name} in {@code scraped}, or NaN when it is absent. */
    static double sample(String scraped, String name) {
        for (String line : scraped.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    /** The value of the unlabelled sample {@code name} of /metrics now, or NaN. */
    double metric(String name) throws IOException, InterruptedException {
        return sample(scrape(), name);
    }

    /** wallaby_messages_processed_total: source messages run through the application, all streams. */
    long processed() throws IOException, InterruptedException {
        double value = metric("wallaby_messages_processed_total");
        return Double.isNaN(value) ? 0 : (long) value;
    }

    /** The /status JSON. */
    String status() throws IOException, InterruptedException {
        return http.send(status, HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The state entries of every source stream in /status, added up. */
    long stateEntries() throws IOException, InterruptedException {
        Matcher m = STATE_ENTRIES.matcher(status());
        long sum = 0;
        while (m.find()) {
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }
}
