package io.wallaby.engine;

import io.wallaby.protocol.Frame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.wallaby.engine.SourceSessionTest.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The engine as a real process stopped with SIGTERM ({@link ProcessHandle#destroy()} on Linux and macOS). */
// A separate thread, so that a test blocked reading the engine's output is ended too.
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EngineProcessTest {

    private static final Pattern READY = Pattern.compile("sources on [^:]+:(\\d+), sinks on [^:]+:(\\d+)");

    private Process engine;
    private final List<String> output = new ArrayList<>();
    private BufferedReader lines;

    @AfterEach
    void kill() {
        if (engine != null) {
            engine.destroyForcibly();
        }
    }

    /** Starts the engine on free ports; returns {source port, sink port} from its ready line. */
    private int[] start(String... options) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, EngineMain.class.getName(), "--source-port=0", "--sink-port=0"));
        command.addAll(List.of(options));
        engine = new ProcessBuilder(command).redirectErrorStream(true).start();
        lines = new BufferedReader(new InputStreamReader(engine.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = lines.readLine()) != null) {
            output.add(line);
            Matcher ready = READY.matcher(line);
            if (ready.find()) {
                return new int[] {Integer.parseInt(ready.group(1)), Integer.parseInt(ready.group(2))};
            }
        }
        fail("the engine ended before it was ready:\n" + String.join("\n", output));
        return null;
    }

    /** Sends SIGTERM and returns the exit code; the rest of the output is kept for messages. */
    private int terminate() throws Exception {
        // ProcessHandle's destroy sends SIGTERM like Process's, and leaves the output stream open for reading.
        assertTrue(engine.toHandle().destroy(), "SIGTERM sent");
        String line;
        while ((line = lines.readLine()) != null) {
            output.add(line);
        }
        assertTrue(engine.waitFor(20, TimeUnit.SECONDS), "the engine should stop within its shutdown timeout");
        return engine.exitValue();
    }

    @Test
    void sigtermWithNothingHeldExitsZero() throws Exception {
        start();
        assertEquals(EngineMain.EXIT_OK, terminate(), () -> String.join("\n", output));
        assertTrue(output.stream().anyMatch(l -> l.contains("Drained")), () -> String.join("\n", output));
    }

    @Test
    void sigtermWithOutputsNoSinkCommittedExitsOneAfterTheShutdownTimeout() throws Exception {
        int[] ports = start("--shutdown-timeout=300ms");
        try (Peer source = Peer.connect(ports[0])) {
            source.hello("");
            source.notifyStream("transactions");
            source.send(message("transactions", 1, "{\"id\":1,\"amount\":5000}"));
            source.expectSilence(200); // processed: one alert is held, for a sink that never comes
            assertEquals(EngineMain.EXIT_FAILURE, terminate(), () -> String.join("\n", output));
        }
        assertTrue(output.stream().anyMatch(l -> l.contains("1 output(s) still pending")),
                () -> String.join("\n", output));
    }

    @Test
    void jsonLogsAreOneObjectPerLine() throws Exception {
        start("--log-format=json");
        terminate();
        List<String> logLines = output.stream().filter(l -> l.contains("Drained")).toList();
        assertEquals(1, logLines.size(), () -> String.join("\n", output));
        assertTrue(logLines.get(0).startsWith("{") && logLines.get(0).endsWith("}"), logLines.get(0));
        assertTrue(logLines.get(0).contains("\"level\":\"INFO\""), logLines.get(0));
        assertTrue(output.stream().anyMatch(l -> l.startsWith("{") && l.contains("Wallaby engine ready: application")),
                () -> String.join("\n", output));
    }
}
