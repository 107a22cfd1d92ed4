package io.wallaby.connector;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --engine-host}: one engine as always, or a cluster's list; a bad list exits 2 with a clear message.
 * {@code --engine-silence-timeout}: a source's, shown in --help with its default.
 */
class ConnectorOptionsTest {

    @Command(name = "probe")
    static final class SourceProbe implements Runnable {
        @Mixin
        ConnectorOptions.Source engine;
        ConnectorSettings settings;

        @Override
        public void run() {
            settings = engine.settings("probe");
        }
    }

    @Command(name = "probe")
    static final class SinkProbe implements Runnable {
        @Mixin
        ConnectorOptions.Sink engine;
        ConnectorSettings settings;

        @Override
        public void run() {
            settings = engine.settings("probe");
        }
    }

    private static ConnectorSettings source(String... args) {
        SourceProbe probe = new SourceProbe();
        assertEquals(ConnectorCommandLine.OK, ConnectorCommandLine.execute(probe, args));
        return probe.settings;
    }

    @Test
    void oneEngineIsAsItWas() {
        ConnectorSettings settings = source("--engine-host", "engine-1", "--engine-port", "7101");
        assertEquals("engine-1", settings.engineHost());
        assertEquals(7101, settings.enginePort());
        assertEquals(List.of(), settings.otherEngines());
        assertEquals(List.of(new EngineAddress("engine-1", 7101)), settings.engines());
        assertEquals(List.of(new EngineAddress("127.0.0.1", 7100)), source().engines(), "the defaults");
    }

    @Test
    void aListGivesEveryEngineItsPortOrTheDefaultOne() {
        ConnectorSettings settings = source("--engine-host", "a:7100, b ,[::1]:7102,10.0.0.4,fe80::1");
        assertEquals(List.of(new EngineAddress("a", 7100), new EngineAddress("b", 7100),
                new EngineAddress("::1", 7102), new EngineAddress("10.0.0.4", 7100),
                new EngineAddress("fe80::1", 7100)), settings.engines());
        assertEquals("a", settings.engineHost());
        assertTrue(settings.toString().contains("engine=a:7100,b:7100,[::1]:7102,10.0.0.4:7100,[fe80::1]:7100"),
                settings.toString());

        SinkProbe sink = new SinkProbe();
        assertEquals(ConnectorCommandLine.OK, ConnectorCommandLine.execute(sink, "--engine-host", "a,b:7201"));
        assertEquals(List.of(new EngineAddress("a", 7200), new EngineAddress("b", 7201)), sink.settings.engines());
    }

    @Test
    void aBadListExitsWithTwoAndSaysWhatIsWrong() {
        for (String bad : List.of("a,,b", "a,", "a:x", "a:0", "a:70000", ":7100", "a:7100,a", "[::1", "[::1]7100",
                "a:")) {
            SourceProbe probe = new SourceProbe();
            assertEquals(ConnectorCommandLine.CONFIGURATION_ERROR,
                    ConnectorCommandLine.execute(probe, "--engine-host", bad), bad);
        }
        ConfigurationException port = assertThrows(ConfigurationException.class,
                () -> EngineAddress.parseList("a:7100,b:http", 7100));
        assertEquals("--engine-host entry 'b:http' has the port 'http'; a port is a number between 1 and 65535",
                port.getMessage());
        ConfigurationException twice = assertThrows(ConfigurationException.class,
                () -> EngineAddress.parseList("a,a:7100", 7100));
        assertEquals("--engine-host names a:7100 twice: 'a,a:7100'", twice.getMessage());
        ConfigurationException empty = assertThrows(ConfigurationException.class,
                () -> EngineAddress.parseList("a,,b", 7100));
        assertTrue(empty.getMessage().startsWith("--engine-host has an empty entry"), empty.getMessage());
    }

    @Test
    void aSourceGivesUpASilentEngineAfterFifteenSecondsUnlessToldOtherwise() {
        assertEquals(ConnectorSettings.DEFAULT_ENGINE_SILENCE_TIMEOUT, source().engineSilenceTimeout());
        assertEquals(Duration.ofSeconds(15), ConnectorSettings.DEFAULT_ENGINE_SILENCE_TIMEOUT);
        assertEquals(Duration.ofMillis(500), source("--engine-silence-timeout", "500ms").engineSilenceTimeout());
        assertEquals(Duration.ZERO, source("--engine-silence-timeout", "0").engineSilenceTimeout(), "never");
        assertEquals(ConnectorSettings.DEFAULT_ENGINE_SILENCE_TIMEOUT,
                new ConnectorSettings("h", 1, "", "p", "i", 1 << 20).engineSilenceTimeout(), "the SDK's default");
        for (String bad : List.of("-1s", "50ms", "soon")) {
            assertEquals(ConnectorCommandLine.CONFIGURATION_ERROR,
                    ConnectorCommandLine.execute(new SourceProbe(), "--engine-silence-timeout", bad), bad);
        }
        String help = new CommandLine(new HelpedSource()).getUsageMessage();
        assertTrue(help.contains("--engine-silence-timeout=DURATION"), help);
        assertTrue(help.replaceAll("\\s+", " ").contains("0: never. Default: 15s"), help);
    }

    @Command(name = "probe", showDefaultValues = true)
    static final class HelpedSource implements Runnable {
        @Mixin
        ConnectorOptions.Source engine;

        @Override
        public void run() {
        }
    }
}
