package io.wallaby.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wallaby.connector.postgres.ConnectionString;
import io.wallaby.connector.postgres.PostgresConnections;
import io.wallaby.source.postgres.logical.Lsn;
import io.wallaby.source.postgres.logical.SlotStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code launch.sh status}: the engine's {@code GET /status} as readable tables, and, given the
 * database, the capture lag of the lossless postgres source (what is captured but not yet acknowledged)
 * and, for the logical capture, its replication slots: each stream of {@code wallaby.slot_offsets} and
 * each slot named {@code wallaby%}, with the WAL the slot holds back and how far its consumer confirmed.
 */
@Command(name = "status", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Prints the running engine's connectors, streams and counters, and the capture lag and "
                + "replication slots.")
final class StatusCommand implements Callable<Integer> {

    @Option(names = "--admin", description = "The engine's admin address (its --admin-port).")
    URI admin = URI.create("http://127.0.0.1:7300/");

    @Option(names = "--connection", description = "The source database, to show the capture lag and the "
            + "logical replication slots (libpq keyword/value, postgresql:// URI or JDBC URL).")
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
        table(List.of("NAME", "MESSAGES IN", "MSG/S", "LAST ID", "ACKNOWLEDGED", "IN FLIGHT", "CONNECTION", "STATE"),
                rows(status.path("sourceStreams"), "name", "messagesIn", "messagesPerSecond", "lastMessageId",
                        "acknowledged", "inFlight", "connection", "stuck"));
        out.println("Sink streams");
        table(List.of("NAME", "PENDING", "COMMITTED", "CREDITS", "CONNECTION", "STATE"), rows(status.path("sinkStreams"),
                "name", "pendingOutputs", "committed", "credits", "connection", "stuck"));
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
        printCluster(status.path("cluster"), c);
    }

    /** The members of the engine's cluster and who serves which partition; nothing for a standalone engine. */
    private void printCluster(JsonNode cluster, JsonNode counters) {
        if (cluster.isMissingNode() || cluster.isNull()) {
            return;
        }
        out.println();
        out.printf("Cluster %s (Kafka at %s): this engine is %s and serves %d of %d partitions; %d redirect(s)%n",
                cluster.path("name").asText(), cluster.path("kafka").asText(), cluster.path("self").asText(),
                cluster.path("owned").size(), cluster.path("partitions").asInt(), counters.path("redirects").asLong());
        List<List<String>> members = new ArrayList<>();
        for (JsonNode member : cluster.path("members")) {
            List<String> partitions = new ArrayList<>();
            member.path("partitions").forEach(p -> partitions.add(p.asText()));
            members.add(List.of(member.path("address").asText(), member.path("sinkPort").asText(),
                    member.path("adminPort").asText(), Integer.toString(partitions.size()), String.join(",", partitions)));
        }
        table(List.of("MEMBER (SOURCE ADDRESS)", "SINK PORT", "ADMIN PORT", "COUNT", "PARTITIONS"), members);
        int restoring = cluster.path("restoring").size();
        if (restoring > 0) {
            List<String> partitions = new ArrayList<>();
            cluster.path("restoring").forEach(p -> partitions.add(p.asText()));
            out.printf("This engine restores the checkpoints of partition(s) %s before it serves them.%n",
                    String.join(",", partitions));
        }
        int unowned = cluster.path("unowned").size();
        out.println(unowned == 0 ? "Every partition has an engine."
                : String.format("%d partition(s) without an engine for %.1f s (a member died: the group's session "
                        + "timeout passes before they move)", unowned, cluster.path("unownedForSeconds").asDouble()));
    }

    /** A rate over the engine's last ten seconds; "-" from an engine too old to report one. */
    private static String rate(JsonNode perSecond) {
        return perSecond.isNumber() ? perSecond.asText() : "-";
    }

    private void printCaptureLag() throws Exception {
        ConnectionString target = ConnectionString.parse(connection);
        try (Connection db = PostgresConnections.open(target)) {
            List<List<String>> slots = logicalSlots(db);
            printTableCaptureLag(db, target, !slots.isEmpty());
            if (!slots.isEmpty()) {
                out.println();
                out.println("Logical replication slots (--capture logical; RECORDED: when the acknowledged id was recorded)");
                table(List.of("SLOT", "STREAM", "ACTIVE", "WAL STATUS", "RETAINED WAL", "LAG", "CONFIRMED",
                        "ACKNOWLEDGED ID", "RECORDED"), slots);
            }
        }
    }

    private void printTableCaptureLag(Connection db, ConnectionString target, boolean logical) throws Exception {
        try (Statement s = db.createStatement()) {
            try (ResultSet exists = s.executeQuery("SELECT to_regclass('wallaby.changes') IS NOT NULL")) {
                exists.next();
                if (!exists.getBoolean(1)) {
                    if (!logical) { // with logical slots there is nothing odd about it
                        out.println("Capture lag: no capture table (wallaby.changes) in " + target
                                + ": the source runs with --capture notify, or has not started");
                    }
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

    /**
     * One row per stream of {@code wallaby.slot_offsets} (when the table exists) with its slot's figures, then
     * one per slot named {@code wallaby%} that no stream records.
     */
    private static List<List<String>> logicalSlots(Connection db) throws Exception {
        Map<String, SlotStatus> slots = new LinkedHashMap<>();
        for (SlotStatus slot : SlotStatus.list(db, "wallaby%")) {
            slots.put(slot.name(), slot);
        }
        List<List<String>> rows = new ArrayList<>();
        Set<String> recorded = new HashSet<>();
        try (Statement s = db.createStatement()) {
            boolean offsets;
            try (ResultSet exists = s.executeQuery("SELECT to_regclass('wallaby.slot_offsets') IS NOT NULL")) {
                exists.next();
                offsets = exists.getBoolean(1);
            }
            if (offsets) {
                try (ResultSet rs = s.executeQuery("SELECT stream, slot, message_id, confirmed_lsn::text, "
                        + "extract(epoch FROM now() - updated_at) FROM wallaby.slot_offsets ORDER BY stream")) {
                    while (rs.next()) {
                        String name = rs.getString(2);
                        recorded.add(name);
                        SlotStatus slot = slots.containsKey(name) ? slots.get(name)
                                : SlotStatus.read(db, name).orElse(null); // named otherwise than wallaby%
                        rows.add(slotRow(name, rs.getString(1), slot, rs.getString(4), Long.toString(rs.getLong(3)),
                                String.format("%.1f s ago", rs.getDouble(5))));
                    }
                }
            }
        }
        for (SlotStatus slot : slots.values()) {
            if (!recorded.contains(slot.name())) {
                rows.add(slotRow(slot.name(), "-", slot, null, "-", "-"));
            }
        }
        return rows;
    }

    private static List<String> slotRow(String name, String stream, SlotStatus slot, String recordedLsn,
                                        String acknowledged, String recordedAgo) {
        if (slot == null) {
            return List.of(name, stream, "-", "missing (no such slot)", "-", "-",
                    recordedLsn == null ? "-" : recordedLsn, acknowledged, recordedAgo);
        }
        return List.of(name, stream, slot.active() ? "yes (pid " + slot.activePid() + ")" : "no",
                slot.walStatusText(), bytes(slot.retainedWalBytes()), bytes(slot.lagBytes()),
                slot.confirmedFlushLsn() == Lsn.INVALID ? "-" : Lsn.format(slot.confirmedFlushLsn()),
                acknowledged, recordedAgo);
    }

    /** A byte count the way a person reads it: 512 B, 3.4 KiB, 16.0 MiB, 1.2 GiB. */
    static String bytes(Long count) {
        if (count == null) {
            return "-";
        }
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = count;
        int unit = 0;
        while (Math.abs(value) >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? count + " B" : String.format("%.1f %s", value, units[unit]);
    }

    private static List<List<String>> rows(JsonNode array, String... fields) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode item : array) {
            List<String> row = new ArrayList<>();
            for (String field : fields) {
                JsonNode value = item.path(field);
                if (field.equals("stuck")) {
                    // Work held and no progress for a while (the engine's stuckAfterSeconds): say it, else nothing.
                    row.add(value.asBoolean(false) ? "STUCK" : "");
                } else {
                    row.add(value.isMissingNode() || value.isNull() ? "-" : value.asText());
                }
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
