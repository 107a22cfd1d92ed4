package io.wallaby.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wallaby.api.Settings;
import io.wallaby.apps.VelocityAlerts;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.wallaby.engine.SourceSessionTest.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A stateful application in a running engine: its checkpoints in /status and /metrics, its state directory, its settings. */
class StatefulEngineTest {

    private static final String COOKIE = "state";

    @TempDir
    Path temp;

    private EngineConfig config() {
        return EngineConfig.onFreePorts().toBuilder().cookie(COOKIE).adminPort(0).stateDir(temp.resolve("state"))
                .checkpointInterval(Duration.ofMillis(50)).build();
    }

    @Test
    void aSourceIsAcknowledgedOnceACheckpointHoldsItsMessagesAndStatusAndMetricsShowTheCheckpoints()
            throws Exception {
        try (EngineServer engine = new EngineServer(config(), new VelocityAlerts()).start();
             Peer source = Peer.connect(engine.sourcePort())) {
            source.hello(COOKIE);
            source.notifyStream("accounts");
            for (int id = 1; id <= 3; id++) {
                source.send(message("accounts", id, "{\"id\":" + id + ",\"amount\":-10,\"account\":" + id
                        + ",\"created_at\":\"2026-12-01T18:00:0" + id + "Z\"}"));
            }
            // No output, yet no acknowledgement before a checkpoint made the state durable.
            source.awaitAck(StreamIds.of("accounts"), 3);

            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + engine.adminPort();
            JsonNode status = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/status"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body());
            JsonNode checkpoints = status.get("checkpoints");
            assertTrue(checkpoints.get("completed").asLong() >= 1, status.toPrettyString());
            assertEquals(0.05, checkpoints.get("intervalSeconds").asDouble(), 1e-9);
            assertTrue(checkpoints.get("lastBytes").asLong() > 0, status.toPrettyString());
            assertEquals(3, status.get("sourceStreams").get(0).get("stateEntries").asLong(), status.toPrettyString());
            String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (String meter : new String[] {"wallaby_checkpoint_duration_seconds", "wallaby_checkpoint_size_bytes",
                    "wallaby_checkpoint_age_seconds", "wallaby_checkpoint_interval_seconds",
                    "wallaby_checkpoints_completed_total"}) {
                assertTrue(metrics.contains(meter), meter + " missing from /metrics");
            }
        }
    }

    @Test
    void aRestartedEngineAnswersNotifyWithTheCheckpointedPosition() throws Exception {
        EngineConfig config = config();
        try (EngineServer engine = new EngineServer(config, new VelocityAlerts()).start();
             Peer source = Peer.connect(engine.sourcePort())) {
            source.hello(COOKIE);
            source.notifyStream("accounts");
            source.send(message("accounts", 41, "{\"id\":1,\"amount\":-10,\"account\":1,"
                    + "\"created_at\":\"2026-12-01T18:00:01Z\"}"));
            source.awaitAck(StreamIds.of("accounts"), 41);
        }
        try (EngineServer engine = new EngineServer(config, new VelocityAlerts()).start();
             Peer source = Peer.connect(engine.sourcePort())) {
            source.hello(COOKIE);
            assertEquals(new Frame.NotifyAck(true, StreamIds.of("accounts"), 41), source.notifyStream("accounts"));
        }
    }

    @Test
    void aStateDirectoryHeldByAnotherEngineIsRefusedWithWhatToDo() throws Exception {
        try (EngineServer first = new EngineServer(config(), new VelocityAlerts()).start()) {
            EngineServer second = new EngineServer(config(), new VelocityAlerts());
            StartFailedException refused = assertThrows(StartFailedException.class, second::start);
            assertTrue(refused.getMessage().contains("is held by another running engine"), refused.getMessage());
            assertTrue(refused.getMessage().contains("--state-dir"), refused.getMessage());
        }
    }

    @Test
    void anUnknownOrBadApplicationSettingIsAUsageError() {
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new EngineMain());
        command.setErr(new PrintWriter(err));
        assertEquals(EngineMain.EXIT_USAGE, command.execute("--application", "velocity_alerts", "--source-port", "0",
                "--sink-port", "0", "--state-dir", temp.resolve("s").toString(), "--app-config", "windw=10"));
        assertTrue(err.toString().contains("--app-config windw: not a setting of VelocityAlerts"), err.toString());
        assertThrows(Settings.SettingsException.class,
                () -> new VelocityAlerts().pipeline(Settings.of(Map.of("threshold", "lots"))));
    }
}
