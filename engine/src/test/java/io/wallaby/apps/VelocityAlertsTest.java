package io.wallaby.apps;

import io.wallaby.api.Pipeline;
import io.wallaby.api.Settings;
import io.wallaby.engine.process.PipelineRunner;
import io.wallaby.engine.state.StreamState;
import io.wallaby.engine.stream.EngineCounters;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class VelocityAlertsTest {

    private final EngineCounters counters = new EngineCounters();
    private final Pipeline pipeline = new VelocityAlerts().pipeline(Settings.none());
    private final PipelineRunner runner = new PipelineRunner(pipeline, counters);
    private final StreamState state = new StreamState(pipeline);
    private long messageId;

    private PipelineRunner.Outcome row(long account, String createdAt, String amount) {
        return send("{\"id\":" + (messageId + 1) + ",\"amount\":" + amount + ",\"account\":" + account
                + ",\"created_at\":\"" + createdAt + "\"}");
    }

    private PipelineRunner.Outcome send(String json) {
        messageId++;
        return runner.run("transactions", messageId, json.getBytes(StandardCharsets.UTF_8), state);
    }

    private static List<String> texts(PipelineRunner.Outcome outcome) {
        return outcome.payloads().stream().map(p -> new String(p, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void anAccountThatWithdrawsMoreThanTheThresholdInOneMinuteIsAlertedOnceTheWindowCloses() {
        row(7, "2026-12-01T18:00:01+00:00", "-3000.25");
        row(7, "2026-12-01T18:00:30.5+00:00", "-3120.25");
        row(7, "2026-12-01T18:00:40Z", "900");          // a deposit adds nothing
        row(8, "2026-12-01T18:00:50+00:00", "-4999");   // not below -5000
        assertEquals(List.of(), texts(row(9, "2026-12-01T18:01:04+00:00", "1")), "lateness 5 s: still open");
        assertEquals(List.of("Velocity Alert for account 7: -6120.5 withdrawn in [2026-12-01T18:00:00Z, "
                + "2026-12-01T18:01:00Z)"), texts(row(9, "2026-12-01T18:01:05+00:00", "1")));
    }

    @Test
    void aRowForAClosedWindowIsLateAndARowWithoutAccountOrTimeCannotBeDecoded() {
        row(1, "2026-12-01T18:00:10+00:00", "-10");
        row(1, "2026-12-01T18:02:00+00:00", "-10");
        PipelineRunner.Outcome late = row(1, "2026-12-01T18:00:20+00:00", "-99999");
        assertEquals(PipelineRunner.LATE, late.failure());
        assertEquals(1, counters.lateInputs());

        assertEquals("cannot decode: transaction 4 has no account",
                send("{\"id\":4,\"amount\":-1,\"created_at\":\"2026-12-01T18:02:00Z\"}").failure());
        assertEquals("cannot decode: transaction 5 has no created_at",
                send("{\"id\":5,\"amount\":-1,\"account\":3}").failure());
        // Updates and deletes bring no new money: no failure, no output.
        PipelineRunner.Outcome update = send("{\"op\":\"u\",\"before\":null,\"after\":{\"id\":1,\"amount\":5}}");
        assertNull(update.failure());
        assertEquals(List.of(), update.payloads());
    }

    @Test
    void settingsChangeTheWindowTheThresholdAndTheLatenessAndUnknownOnesAreLeftUnread() {
        Settings settings = Settings.of(Map.of("window", "10", "threshold", "100", "lateness", "0", "colour", "red"));
        Pipeline tight = new VelocityAlerts().pipeline(settings);
        assertEquals(java.util.Set.of("colour"), settings.unread());
        PipelineRunner tightRunner = new PipelineRunner(tight, counters);
        StreamState tightState = new StreamState(tight);
        tightRunner.run("s", 1, bytes("{\"id\":1,\"amount\":-150,\"account\":2,\"created_at\":\"2026-12-01T18:00:03Z\"}"),
                tightState);
        PipelineRunner.Outcome closed = tightRunner.run("s", 2,
                bytes("{\"id\":2,\"amount\":1,\"account\":2,\"created_at\":\"2026-12-01T18:00:10Z\"}"), tightState);
        assertEquals(List.of("Velocity Alert for account 2: -150 withdrawn in [2026-12-01T18:00:00Z, "
                + "2026-12-01T18:00:10Z)"), texts(closed));
        assertThrows(Settings.SettingsException.class,
                () -> new VelocityAlerts().pipeline(Settings.of(Map.of("window", "0"))));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
