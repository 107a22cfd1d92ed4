package io.wallaby.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wallaby.apps.AlertStateless;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static io.wallaby.engine.SourceSessionTest.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Messages the application cannot handle go to the dead-letter file before they are acknowledged. */
class DeadLetterTest {

    private static final String STREAM = "transactions";
    private static final long STREAM_ID = StreamIds.of(STREAM);
    private static final long SINK_ID = StreamIds.of("alert_log/" + STREAM);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    @Test
    void badRowsLandInTheFileWithReasonsAndGoodRowsAroundThemStillGiveAlerts() throws Exception {
        Path file = directory.resolve("dead.jsonl");
        byte[] notUtf8 = {(byte) 0xC3, (byte) 0x28, '{'};
        try (EngineServer engine = new EngineServer(EngineConfig.onFreePorts().withAdminPort(0)
                .withDeadLetterFile(file), new AlertStateless()).start();
             Peer source = Peer.connect(engine.sourcePort());
             Peer sink = Peer.connect(engine.sinkPort())) {
            source.hello("");
            source.notifyStream(STREAM);
            source.send(message(STREAM, 1, "{\"id\":1,\"amount\":5000}"),
                    message(STREAM, 2, "{\"id\":2,\"amount\":"),
                    message(STREAM, 3, "{\"id\":3}"),
                    message(STREAM, 4, "{\"id\":4,\"amount\":\"lots\"}"),
                    Frame.Message.of(STREAM_ID, 5, notUtf8),
                    message(STREAM, 6, "{\"id\":6,\"amount\":-2000}"));
            sink.hello("");
            sink.expect(Frame.Notify.class);
            sink.send(new Frame.NotifyAck(true, SINK_ID, Frame.U64_MAX), new Frame.Ack(100, List.of()));
            List<Frame.Message> alerts = sink.messages(2);
            assertEquals(List.of(1L << 16, 6L << 16), alerts.stream().map(Frame.Message::messageId).toList());
            sink.send(new Frame.Ack(0, List.of(new Frame.StreamPoint(SINK_ID, alerts.get(1).messageId()))));
            source.awaitAck(STREAM_ID, 6);

            List<JsonNode> lines = Files.readAllLines(file).stream().map(DeadLetterTest::parse).toList();
            assertEquals(List.of("2", "3", "4", "5"), lines.stream().map(l -> l.get("messageId").asText()).toList());
            for (JsonNode line : lines) {
                assertEquals(STREAM, line.get("stream").asText());
                assertTrue(line.get("time").asText().matches("\\d{4}-.*Z"), line.toString());
                assertTrue(line.get("reason").asText().startsWith("cannot decode"), line.toString());
            }
            assertEquals("{\"id\":2,\"amount\":", lines.get(0).get("payload").asText());
            assertTrue(lines.get(1).get("reason").asText().contains("amount"), lines.get(1).toString());
            assertEquals("{\"id\":4,\"amount\":\"lots\"}", lines.get(2).get("payload").asText());
            assertFalse(lines.get(3).has("payload"));
            assertEquals(Base64.getEncoder().encodeToString(notUtf8), lines.get(3).get("payloadBase64").asText());

            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + engine.adminPort();
            String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.lines().anyMatch(l -> l.equals("wallaby_dead_letters_total 4.0")), metrics);
            JsonNode status = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/status")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(4, status.get("deadLetters").get("count").asLong());
            assertEquals(file.toAbsolutePath().toString(), status.get("deadLetters").get("file").asText());
        }
    }

    /** When the dead letter cannot be written, the message is never acknowledged, nor anything after it. */
    @Test
    void aDeadLetterThatCannotBeWrittenHoldsTheAcknowledgement() throws Exception {
        Path notAFile = Files.createDirectory(directory.resolve("a-directory"));
        try (EngineServer engine = new EngineServer(EngineConfig.onFreePorts().withDeadLetterFile(notAFile),
                new AlertStateless()).start();
             Peer source = Peer.connect(engine.sourcePort())) {
            source.hello("");
            source.notifyStream(STREAM);
            source.send(message(STREAM, 1, "{\"id\":1,\"amount\":1}"));
            source.awaitAck(STREAM_ID, 1);
            source.send(message(STREAM, 2, "not json"), message(STREAM, 3, "{\"id\":3,\"amount\":2}"));
            source.expectSilence(500);
            assertEquals(1, engine.registry().sources().iterator().next().acknowledged());
            assertEquals(0, engine.deadLetters().written());
        }
    }

    /** Two engines on one machine never append to one dead-letter file unawares: the second is refused. */
    @Test
    void aSecondEngineOnTheSameDeadLetterFileIsRefusedWithWhatToDo() throws Exception {
        Path shared = directory.resolve("shared-dead-letters.jsonl");
        try (EngineServer first = new EngineServer(EngineConfig.onFreePorts().withDeadLetterFile(shared),
                new AlertStateless()).start()) {
            EngineServer second = new EngineServer(EngineConfig.onFreePorts().withDeadLetterFile(shared),
                    new AlertStateless());
            StartFailedException refused = assertThrows(StartFailedException.class, second::start);
            assertTrue(refused.getMessage().contains("give each engine on this machine its own --dead-letter-file"),
                    refused.getMessage());
            assertTrue(first.lifecycle().acceptsWork(), "the first engine runs on");
        }
        // Once the first engine has stopped, the file is free for the next.
        new EngineServer(EngineConfig.onFreePorts().withDeadLetterFile(shared), new AlertStateless()).start().close();
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (java.io.IOException e) {
            throw new AssertionError(line, e);
        }
    }
}
