package io.wallaby.kafkabroker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line: defaults, usage errors (2), and the start failures that must read as one clear line (1). */
class KafkaBrokerMainTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine command = new CommandLine(new KafkaBrokerMain());
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(err));
        return command.execute(args);
    }

    /** The command as its own process, as a launcher runs it; returns its exit code, output in {@code printed}. */
    private static int runProcess(StringBuilder printed, String... args) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(KafkaBrokerProcess.command(List.of(args))).redirectErrorStream(true).start();
        process.getOutputStream().close();
        printed.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "exits: " + printed);
        return process.exitValue();
    }

    @Test
    void helpShowsEveryOptionWithItsDefault() {
        assertEquals(KafkaBrokerMain.EXIT_OK, run("--help"));
        String help = out.toString();
        for (String expected : new String[] {"--host", "Default: 127.0.0.1", "--port", "Default: 9092",
                "--controller-port", "Default: 9093", "--dir=DIR", "Default: .wallaby/kafka",
                "--session-timeout=DURATION", "Default: 6s", "Exit codes:"}) {
            assertTrue(help.contains(expected), () -> "help lacks " + expected + ":\n" + help);
        }
    }

    @Test
    void badFlagsAreUsageErrors() {
        assertEquals(KafkaBrokerMain.EXIT_USAGE, run("--no-such-flag"));
        assertEquals(KafkaBrokerMain.EXIT_USAGE, run("--session-timeout", "soon"));
        assertEquals(KafkaBrokerMain.EXIT_USAGE, run("--session-timeout", "1s"));
        assertTrue(err.toString().contains("--session-timeout must be longer than the heartbeat interval"), err::toString);
        assertEquals(KafkaBrokerMain.EXIT_USAGE, run("--port", "7000", "--controller-port", "7000"));
        assertTrue(err.toString().contains("--port and --controller-port must differ"), err::toString);
        assertEquals(KafkaBrokerMain.EXIT_USAGE, run("--port", "70000"));
    }

    @Test
    void aBadFlagExitsTwoAsAProcess() throws Exception {
        StringBuilder printed = new StringBuilder();
        assertEquals(KafkaBrokerMain.EXIT_USAGE, runProcess(printed, "--no-such-flag"));
        assertTrue(printed.toString().contains("Unknown option: '--no-such-flag'"), printed::toString);
    }

    @Test
    void aPortInUseIsOneLineSayingWhatToDo(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            StringBuilder printed = new StringBuilder();
            assertEquals(KafkaBrokerMain.EXIT_FAILURE, runProcess(printed, "--port", String.valueOf(taken.getLocalPort()),
                    "--controller-port", String.valueOf(freePort()), "--dir", dir.toString()));
            assertEquals("wallaby-kafka-broker: port " + taken.getLocalPort() + " on 127.0.0.1 is in use: stop the "
                    + "other process or choose another port with --port", printed.toString().strip());
        }
    }

    @Test
    void aDirectoryThatCannotBeWrittenIsOneLineSayingWhatToDo(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        StringBuilder printed = new StringBuilder();
        assertEquals(KafkaBrokerMain.EXIT_FAILURE, runProcess(printed, "--port", String.valueOf(freePort()),
                "--controller-port", String.valueOf(freePort()), "--dir", file.resolve("kafka").toString()));
        String line = printed.toString().strip();
        assertTrue(line.startsWith("wallaby-kafka-broker: cannot create " + file.resolve("kafka").resolve("data")), line);
        assertTrue(line.endsWith("choose a writable directory with --dir") && !line.contains("\n"), line);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
