package io.wallaby.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wallaby.connector.ConnectorCommandLine;
import io.wallaby.connector.postgres.PasswordDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Errors an operator meets first: each a clear message and a non-zero exit code, and never a password shown. */
class SourceErrorsTest {

    @Test
    void aWrongPasswordIsARuntimeFailureThatSaysSoWithoutShowingThePassword() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            PasswordDatabase.requirePasswords(pg.getJdbcUrl("postgres", "postgres"));
            String right = "postgresql://" + PasswordDatabase.USER + ":" + PasswordDatabase.PASSWORD + "@127.0.0.1:"
                    + pg.getPort() + "/postgres";
            // The right password gets as far as the missing table: so it is the password that fails below.
            assertEquals(2, ConnectorCommandLine.execute(new SourceMain(), "postgres", "--connection", right,
                    "--table", "absent"));
            String[] output = new String[1];
            int exit = capturingStderr(output, () -> ConnectorCommandLine.execute(new SourceMain(), "postgres",
                    "--connection", right.replace(PasswordDatabase.PASSWORD, "wrong-horse-staple"), "--table", "absent"));
            assertEquals(1, exit, output[0]);
            assertTrue(output[0].contains("password authentication failed for user \"writer\""), output[0]);
            assertFalse(output[0].contains("wrong-horse-staple"), output[0]);
        }
    }

    @Test
    void malformedFlagsAreUsageErrors() {
        String connection = "postgresql://postgres@127.0.0.1:1/postgres";
        for (List<String> flags : List.of(List.of("--batch-size", "lots"), List.of("--poll-interval", "soon"),
                List.of("--stats-interval", "-5s"), List.of("--log-format", "xml"), List.of("--no-such-flag"))) {
            String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("postgres", "--connection",
                    connection), flags.stream()).toArray(String[]::new);
            assertEquals(2, ConnectorCommandLine.execute(new SourceMain(), args), flags.toString());
        }
        assertEquals(2, ConnectorCommandLine.execute(new SourceMain(), "generator", "--count", "ten"));
        assertEquals(2, ConnectorCommandLine.execute(new SourceMain(), "file"));
    }

    /** In a process of its own, since --log-format json changes the JVM's logging for good. */
    @Test
    void jsonLogsCarryTheConnectorAndNeverThePassword() throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, SourceMain.class.getName(), "postgres", "--log-format", "json",
                "--instance-name", "unit", "--connection",
                "postgresql://postgres:pass-w0rd-9@127.0.0.1:1/postgres?connect_timeout=2").redirectErrorStream(true)
                .start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the connector exits");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, process.exitValue(), output);
        assertFalse(output.contains("pass-w0rd-9"), output);
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> logLines = new java.util.ArrayList<>();
        for (String line : output.lines().filter(l -> l.startsWith("{")).toList()) {
            logLines.add(json.readTree(line));
        }
        assertFalse(logLines.isEmpty(), output);
        for (JsonNode line : logLines) {
            assertEquals("wallaby-source-postgres/unit", line.path("mdc").path("connector").asText(), line.toString());
        }
        assertTrue(logLines.get(logLines.size() - 1).get("formattedMessage").asText().contains(
                "cannot connect to PostgreSQL at jdbc:postgresql://127.0.0.1:1/postgres as postgres"), output);
    }

    private interface Run {
        int run();
    }

    private static int capturingStderr(String[] output, Run run) {
        PrintStream original = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Level level = root.getLevel();
        root.setLevel(ch.qos.logback.classic.Level.DEBUG); // the failure's stack trace too
        try {
            return run.run();
        } finally {
            root.setLevel(level);
            System.setErr(original);
            output[0] = buffer.toString(StandardCharsets.UTF_8);
        }
    }
}
