package io.wallaby.source.generator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wallaby.connector.ConnectorCommandLine;
import io.wallaby.connector.FakeEngine;
import io.wallaby.connector.StreamPartitions;
import io.wallaby.protocol.Frame;
import io.wallaby.source.SourceMain;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generator's --accounts and --partitions, against a test playing the engine. */
class PartitionedGeneratorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void accountsAndTimesAreAFixedFunctionOfTheId() {
        GeneratedDetails details = new GeneratedDetails(10, Instant.parse("2026-01-01T00:00:00Z"), Duration.ofMillis(1));
        AlertsStatelessGenerator generator = new AlertsStatelessGenerator();
        AlertsStatelessGenerator.Transaction t0 = generator.next();
        AlertsStatelessGenerator.Transaction t1 = generator.next();
        assertEquals("{\"id\":0,\"amount\":1,\"account\":" + details.account(0)
                + ",\"created_at\":\"2026-01-01T00:00:00.000Z\"}", details.toJson(t0));
        assertEquals("2026-01-01T00:00:00.001Z", details.createdAt(t1.id()));
        assertEquals("2026-01-01T00:00:01.000Z", details.createdAt(1000));
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (long id = 0; id < 1000; id++) {
            long account = details.account(id);
            assertTrue(account >= 1 && account <= 10, "account in 1..10: " + account);
            assertEquals(account, new GeneratedDetails(10, Instant.EPOCH, Duration.ZERO).account(id),
                    "the account depends on the id only");
            seen.add(account);
        }
        assertEquals(10, seen.size(), "every account is used");
    }

    @Test
    void withoutAccountsThePayloadIsAsBefore() {
        assertEquals(2, ConnectorCommandLine.execute(new SourceMain(), "generator", "--partitions", "3"),
                "--partitions needs --accounts");
        assertEquals(2, ConnectorCommandLine.execute(new SourceMain(), "generator", "--accounts", "0"));
        assertEquals(2, ConnectorCommandLine.execute(new SourceMain(), "generator", "--accounts", "3",
                "--created-at-start", "yesterday"));
    }

    @Test
    void partitionsSpreadByAccountAndResumeEachStreamAfterItsOwnPoint() throws Exception {
        int partitions = 3;
        // First run: every stream new; 30 transactions.
        Map<Integer, List<JsonNode>> first = runOnce(partitions, new long[]{-1, -1, -1}, 30);
        int total = 0;
        for (Map.Entry<Integer, List<JsonNode>> e : first.entrySet()) {
            long last = -1;
            for (JsonNode row : e.getValue()) {
                assertEquals(e.getKey().intValue(), StreamPartitions.of(row.get("account").asText(), partitions),
                        "each transaction on the stream its account hashes to");
                assertTrue(row.get("id").asLong() > last, "ids increase per stream");
                last = row.get("id").asLong();
                assertTrue(row.has("created_at"));
            }
            total += e.getValue().size();
        }
        assertEquals(30, total);
        // Second run: the streams acknowledged different amounts; each gets exactly what it lacks, byte for byte.
        long[] points = new long[partitions];
        for (int p = 0; p < partitions; p++) {
            List<JsonNode> rows = first.get(p);
            points[p] = rows.size() < 2 ? -1 : rows.get(rows.size() / (p + 1) - 1).get("id").asLong();
        }
        Map<Integer, List<JsonNode>> second = runOnce(partitions, points, 30);
        for (int p = 0; p < partitions; p++) {
            List<JsonNode> expected = new ArrayList<>();
            for (JsonNode row : first.get(p)) {
                if (row.get("id").asLong() > points[p]) {
                    expected.add(row);
                }
            }
            assertEquals(expected, second.get(p), "partition " + p + " resumes after its own point " + points[p]);
        }
    }

    /** Runs the generator for {@code count} transactions; the engine opens stream p at points[p] (-1: new). */
    private static Map<Integer, List<JsonNode>> runOnce(int partitions, long[] points, int count) throws Exception {
        try (FakeEngine engine = new FakeEngine()) {
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> ConnectorCommandLine.execute(
                    new SourceMain(), "generator", "--engine-port", "" + engine.port(), "--count", "" + count,
                    "--accounts", "20", "--partitions", "" + partitions, "--stream", "gen"));
            engine.acceptAndOk(10_000);
            Map<Long, Integer> partitionOf = new HashMap<>();
            Map<Long, Long> last = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                Frame.Notify notify = engine.read(Frame.Notify.class);
                assertEquals(StreamPartitions.streamName("gen", p), notify.streamName());
                partitionOf.put(notify.streamId(), p);
                last.put(notify.streamId(), points[p] < 0 ? Frame.U64_MAX : points[p]);
                engine.send(new Frame.NotifyAck(true, notify.streamId(), points[p] < 0 ? Frame.U64_MAX : points[p]));
            }
            Map<Integer, List<JsonNode>> received = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                received.put(p, new ArrayList<>());
            }
            // Read until the first EOS arrives: it is sent only after every message was written.
            Frame frame;
            while (!((frame = engine.read()) instanceof Frame.Eos)) {
                Frame.Message m = (Frame.Message) frame;
                JsonNode row = JSON.readTree(m.payload());
                assertEquals(row.get("id").asLong(), m.messageId(), "the message id is the transaction id");
                received.get(partitionOf.get(m.streamId())).add(row);
                last.put(m.streamId(), m.messageId());
                // Acknowledge as it goes, so closing each stream finds everything acknowledged.
                engine.send(new Frame.Ack(0, List.of(new Frame.StreamPoint(m.streamId(), m.messageId()))));
            }
            for (int closed = 0; closed < partitions; closed++) {
                long stream = ((Frame.Eos) frame).streamId();
                engine.send(new Frame.Ack(0, List.of(new Frame.StreamPoint(stream,
                        last.get(stream)))));
                if (closed < partitions - 1) {
                    frame = engine.read(Frame.Eos.class);
                }
            }
            assertEquals(0, exit.get(20, TimeUnit.SECONDS));
            return received;
        }
    }
}
