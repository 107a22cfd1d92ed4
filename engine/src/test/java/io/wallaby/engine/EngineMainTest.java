package io.wallaby.engine;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line's exit codes. Starting for real is covered by {@link EngineServer} tests. */
class EngineMainTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine command = new CommandLine(new EngineMain());
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(err));
        return command.execute(args);
    }

    @Test
    void helpShowsEveryOptionWithItsDefault() {
        assertEquals(EngineMain.EXIT_OK, run("--help"));
        String help = out.toString();
        for (String expected : new String[] {"--source-port=<sourcePort>", "Default: 7100", "Default: 7200",
                "Default: alert_stateless", "Default: 8192", "Default: 4096", "Default: 100000", "Default: 1048576",
                "--shutdown-timeout=DURATION", "Default: 30s", "--max-connections", "Default: 100",
                "--handshake-timeout=DURATION", "Default: 10s", "--idle-timeout=DURATION", "Default: 0",
                "--max-streams-per-connection=STREAMS", "Default: 1000", "--admin-port", "--log-format",
                "Default: text", "--tls-cert=PEM", "--tls-key=PEM", "Exit codes:"}) {
            assertTrue(help.contains(expected), () -> "help lacks " + expected + ":\n" + help);
        }
    }

    @Test
    void durationsReadAsPeopleWriteThem() {
        io.wallaby.connector.DurationOption durations = new io.wallaby.connector.DurationOption();
        assertEquals(java.time.Duration.ofSeconds(30), durations.convert("30s"));
        assertEquals(java.time.Duration.ofMillis(500), durations.convert("500ms"));
        assertEquals(java.time.Duration.ofMinutes(5), durations.convert("5m"));
        assertEquals(java.time.Duration.ZERO, durations.convert("0"));
        assertEquals(java.time.Duration.ofSeconds(90), durations.convert("PT1M30S"));
        assertEquals(EngineMain.EXIT_USAGE, run("--handshake-timeout", "soon"));
    }

    @Test
    void badLimitsAndHalfATlsConfigurationAreUsageErrors() {
        assertEquals(EngineMain.EXIT_USAGE, run("--max-connections", "0"));
        assertTrue(err.toString().contains("--max-connections must be at least 1"), err.toString());
        assertEquals(EngineMain.EXIT_USAGE, run("--tls-cert", "/no/such/cert.pem"));
        assertTrue(err.toString().contains("--tls-key is missing"), err.toString());
    }

    @Test
    void aSourceAdminAddressMustBeAnHttpAddressAndNeedsTheAdminPort() {
        assertEquals(EngineMain.EXIT_USAGE, run("--admin-port", "0", "--source-admin", "127.0.0.1:7400"));
        assertTrue(err.toString().contains("--source-admin 127.0.0.1:7400 must start with http://"), err.toString());
        assertEquals(EngineMain.EXIT_USAGE, run("--admin-port", "0", "--source-admin", "http://127.0.0.1"));
        assertTrue(err.toString().contains("needs a host and a port"), err.toString());
        assertEquals(EngineMain.EXIT_USAGE, run("--admin-port", "0", "--source-admin", "http://127.0.0.1:7400/health"));
        assertTrue(err.toString().contains("must name the admin port only (or its /metrics), not /health"),
                err.toString());
        assertEquals(EngineMain.EXIT_USAGE, run("--source-admin", "http://127.0.0.1:7400"));
        assertTrue(err.toString().contains("--source-admin needs --admin-port"), err.toString());
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        assertEquals(EngineMain.EXIT_USAGE, run("--sauce-port", "1"));
    }

    @Test
    void anUnknownApplicationIsAUsageError() {
        assertEquals(EngineMain.EXIT_USAGE, run("--application", "no.such.App", "--source-port", "0", "--sink-port", "0"));
    }

    @Test
    void inconsistentCreditsAreAUsageError() {
        assertEquals(EngineMain.EXIT_USAGE, run("--max-credits", "10", "--refill-level", "10"));
    }

    @Test
    void aPortInUseIsARuntimeFailureThatSaysWhatToDo() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertEquals(EngineMain.EXIT_FAILURE, run("--source-port", String.valueOf(port), "--sink-port", "0"));
            assertEquals("wallaby-engine: port " + port + " on 127.0.0.1 is in use: stop the other process or choose "
                    + "another port with --source-port", err.toString().strip());
        }
    }
}
