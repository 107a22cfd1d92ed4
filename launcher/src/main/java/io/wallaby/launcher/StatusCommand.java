package io.wallaby.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wallaby.connector.postgres.ConnectionString;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code launch.sh status}: the engine's {@code GET /status} as readable tables, and, given the
 * database, the capture lag of the lossless postgres source (what is captured but not yet acknowledged).
 */
@Command(name = "status", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Prints the running engine's connectors, streams and counters, and the capture lag.")
final class StatusCommand implements Callable<Integer> {

    @Option(names = "--admin", description = "The engine's admin address (its --admin-port).")
    URI admin = URI.create("http://127.0.0.1:7300/");

    @Option(names = "--connection", description = "The source database, to show the capture lag "
            + "(libpq keyword/value, postgresql:// URI or JDBC URL).")
    String connection;

    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        JsonNode status;
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(admin.resolve("/status")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            status = new ObjectMapper().readTree(response.body());
        } catch (java.io.IOException e) {
            System.err.println("cannot reach the engine's admin port at " + admin + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + "): is the engine running, with --admin-port? launch.sh starts it with --admin-port 7300");
            return 1;
        }
        print(status);
        if (connection != null) {
            printCaptureLag();
        }
        return 0;
    }

    void print(JsonNode status) {
        out.println("Engine: " + status.path("phase").asText() + ", application " + status.path("application").asText());
        out.println();
        out.println("Connectors");
        table(List.of("PORT", "PROGRAM", "INSTANCE", "REMOTE", "CONNECTED SINCE"), rows(status.path("connectors"),
                "port", "program", "instance", "remoteAddress", "connectedSince"));
        out.println("Source streams");
        table(List.of("NAME", "MESSAGES IN", "MSG/S", "LAST ID", "ACKNOWLEDGED", "IN FLIGHT", "CONNECTION"),
                rows(status.path("sourceStreams"), "name", "messagesIn", "messagesPerSecond", "lastMessageId",
                        "acknowledged", "inFlight", "connection"));
        out.println("Sink streams");
        table(List.of("NAME", "PENDING", "COMMITTED", "CREDITS", "CONNECTION"), rows(status.path("sinkStreams"),
                "name", "pendingOutputs", "committed", "credits", "connection"));
        JsonNode c = status.path("counters");
        out.printf("Counters: %d messages processed (%s/s), %d duplicates dropped, %d decode failures, "
                        + "%d application failures, %d outputs produced (%s/s), %d pending%n",
                c.path("messagesProcessed").asLong(), rate(c.path("messagesPerSecond")),
                c.path("duplicatesDropped").asLong(), c.path("decodeFailures").asLong(),
                c.path("applicationFailures").asLong(), c.path("outputsProduced").asLong(),
                rate(c.path("outputsPerSecond")), c.path("outputsPending").asLong());
        JsonNode deadLetters = status.path("deadLetters");
        if (!deadLetters.isMissingNode()) {
            out.printf("Dead letters: %d (messages the application could not take) in %s%n",
                    deadLetters.path("count").asLong(), deadLetters.path("file").asText());
        }
    }

    /** A rate over the engine's last ten seconds; "-" from an engine too old to report one. */
    private static String rate(JsonNode perSecond) {
        return perSecond.isNumber() ? perSecond.asText() : "-";
    }

    private void printCaptureLag() throws Exception {
        ConnectionString target = ConnectionString.parse(connection);
        try (Connection db = DriverManager.getConnection(target.jdbcUrl(), target.properties());
             Statement s = db.createStatement()) {
            try (ResultSet exists = s.executeQuery("SELECT to_regclass('wallaby.changes') IS NOT NULL")) {
                exists.next();
                if (!exists.getBoolean(1)) {
                    out.println("Capture lag: no capture table (wallaby.changes) in " + target
                            + ": the source runs with --capture notify, or has not started");
                    return;
                }
            }
            out.println();
            out.println("Capture lag (changes captured but not yet acknowledged by the engine)");
            List<List<String>> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT source, count(*), "
                    + "extract(epoch FROM now() - min(captured_at)) FROM wallaby.changes GROUP BY source ORDER BY source")) {
                while (rs.next()) {
                    rows.add(List.of(rs.getString(1), Long.toString(rs.getLong(2)),
                            String.format("%.1f s", rs.getDouble(3))));
                }
            }
            table(List.of("TABLE", "CHANGES", "OLDEST"), rows);
        }
    }

    private static List<List<String>> rows(JsonNode array, String... fields) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode item : array) {
            List<String> row = new ArrayList<>();
            for (String field : fields) {
                JsonNode value = item.path(field);
                row.add(value.isMissingNode() || value.isNull() ? "-" : value.asText());
            }
            rows.add(row);
        }
        return rows;
    }

    private void table(List<String> header, List<List<String>> rows) {
        if (rows.isEmpty()) {
            out.println("  (none)");
            out.println();
            return;
        }
        int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = header.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        printRow(header, widths);
        rows.forEach(row -> printRow(row, widths));
        out.println();
    }

    private void printRow(List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder(" ");
        for (int i = 0; i < cells.size(); i++) {
            line.append(' ').append(String.format("%-" + widths[i] + "s", cells.get(i)));
        }
        out.println(line.toString().stripTrailing());
    }
}
