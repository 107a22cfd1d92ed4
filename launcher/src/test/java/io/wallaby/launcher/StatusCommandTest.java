package io.wallaby.launcher;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code launch.sh status} against a running engine process with a source and a sink connected. */
class StatusCommandTest {

    private Pieces pieces;

    @AfterEach
    void stop() throws Exception {
        if (pieces != null) {
            pieces.close();
        }
    }

    @Test
    void printsConnectorsStreamsAndCounters() throws Exception {
        pieces = new Pieces(Path.of(".."), Path.of("target/e2e-logs/status"), 0, 0);
        int adminPort = Pieces.freePort();
        pieces.startEngine("--admin-port", Integer.toString(adminPort));
        PieceProcess sink = pieces.startSink("sink-stdout", "stdout");
        pieces.startSource("source-generator", "generator", "--count", "100");
        while (sink.lines().size() < 19) { // the first 100 generator transactions raise 19 alerts
            Thread.sleep(50);
        }

        StatusCommand status = new StatusCommand();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        status.out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        int exit = new CommandLine(status).execute("--admin", "http://127.0.0.1:" + adminPort + "/");

        String table = printed.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, table);
        assertTrue(table.contains("wallaby-sink-stdout"), table);
        assertTrue(table.contains("alert_log/generator"), table);
        assertTrue(table.matches("(?s).*Counters: 100 messages processed \\([0-9.]+/s\\),.*"
                + "outputs produced \\([0-9.]+/s\\).*"), table);
        assertTrue(table.matches("(?s).*NAME +MESSAGES IN +MSG/S +LAST ID.*\n +\\S+ +100 +[0-9.]+ .*"), table);
    }

    @Test
    void saysWhatToDoWhenTheEngineIsNotThere() throws Exception {
        int nobody = Pieces.freePort();
        assertEquals(1, new CommandLine(new StatusCommand()).execute("--admin", "http://127.0.0.1:" + nobody + "/"));
    }
}
