package io.wallaby.connector;

import io.wallaby.logging.LogFormat;
import io.wallaby.protocol.Frames;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The command-line options every connector shares, as a picocli mixin. Use {@link Source} in a source
 * connector's command and {@link Sink} in a sink connector's: they differ only in the default engine
 * port (7100 for sources, 7200 for sinks).
 *
 * <pre>{@code
 * @Mixin ConnectorOptions.Source engine;
 * ...
 * try (SourceConnector connector = new SourceConnector(engine.settings("wallaby-source-file"))) { ... }
 * }</pre>
 */
public abstract class ConnectorOptions {

    @Option(names = "--engine-host", paramLabel = "HOST[:PORT][,...]",
            description = "Host name or address of the engine; for a cluster, its engines as a comma-separated list"
                    + " (a port left out is --engine-port). A source opens its streams on the first and follows the"
                    + " engines' redirects; a sink drains every one.")
    String engineHost = "127.0.0.1";

    @Option(names = "--cookie", description = "Shared secret the engine expects in HELLO (empty when the engine has none).")
    String cookie = "";

    @Option(names = "--instance-name", description = "Name of this connector instance in the engine's logs and status.")
    String instanceName = defaultInstanceName();

    @Option(names = "--max-frame-length", description = "Largest frame, in bytes, accepted from the engine.")
    int maxFrameLength = Frames.DEFAULT_MAX_FRAME_LENGTH;

    @Option(names = "--tls-trust", paramLabel = "FILE",
            description = "Speak TLS to the engine, trusting only the PEM certificate (or bundle) in FILE; the engine's"
                    + " certificate must name the host it is dialled by (e.g. SAN IP:127.0.0.1 or DNS:localhost). Unset: plain TCP.")
    Path tlsTrust;

    /** Applied as soon as the option is parsed, so that every line after it has the chosen format. */
    @Option(names = "--log-format", defaultValue = "text",
            description = "Log lines as text or json (one object per line): ${COMPLETION-CANDIDATES}.")
    void logFormat(LogFormat format) {
        format.apply();
    }

    /** The engine port this connector dials. */
    public abstract int enginePort();

    /**
     * The connection settings for a connector whose HELLO names it {@code programName}. From here on every
     * log line carries {@code programName/instanceName} (MDC key {@code connector}), as the engine's do.
     */
    public ConnectorSettings settings(String programName) {
        LogFormat.identify(programName, instanceName);
        if (enginePort() < 1 || enginePort() > 65535) {
            throw new ConfigurationException("--engine-port must be between 1 and 65535, was " + enginePort());
        }
        if (maxFrameLength < 64) {
            throw new ConfigurationException("--max-frame-length must be at least 64 bytes, was " + maxFrameLength);
        }
        if (tlsTrust != null) {
            TlsTrust.socketFactory(tlsTrust); // a missing or unreadable file fails here, before any connection
        }
        List<EngineAddress> engines = EngineAddress.parseList(engineHost, enginePort());
        return new ConnectorSettings(engines.get(0).host(), engines.get(0).port(), cookie, programName, instanceName,
                maxFrameLength, tlsTrust, engines.subList(1, engines.size()));
    }

    /** Options of a source connector: the engine's source port defaults to 7100. */
    public static final class Source extends ConnectorOptions {
        @Option(names = "--engine-port", description = "The engine's source port.")
        int enginePort = 7100;

        // The default is written out so that --help shows "15s"; ConnectorOptionsTest checks it is the SDK's.
        @Option(names = "--engine-silence-timeout", paramLabel = "DURATION", converter = DurationOption.class,
                defaultValue = "15s", description = "Give up a connection that waits on its engine (messages not acknowledged, no credit"
                        + " left, a NOTIFY not answered) and has heard nothing from it for this long, when the engine"
                        + " does not answer a new connection either (a frozen or cut-off engine): its streams are"
                        + " reopened where they are served now, replaying what was not acknowledged. An engine that"
                        + " answers is waited for (its sinks may lag). A connection with nothing outstanding is never"
                        + " given up. 0: never.")
        Duration engineSilenceTimeout = ConnectorSettings.DEFAULT_ENGINE_SILENCE_TIMEOUT;

        @Override
        public int enginePort() {
            return enginePort;
        }

        @Override
        public ConnectorSettings settings(String programName) {
            ConnectorSettings settings = super.settings(programName);
            if (engineSilenceTimeout.isNegative()
                    || !engineSilenceTimeout.isZero() && engineSilenceTimeout.compareTo(MIN_SILENCE_TIMEOUT) < 0) {
                throw new ConfigurationException("--engine-silence-timeout must be 0 (never) or at least "
                        + MIN_SILENCE_TIMEOUT.toMillis() + "ms, was " + engineSilenceTimeout);
            }
            return settings.withEngineSilenceTimeout(engineSilenceTimeout);
        }
    }

    /** Below this, a busy but healthy engine would be probed all the time. */
    static final Duration MIN_SILENCE_TIMEOUT = Duration.ofMillis(100);

    /** Options of a sink connector: the engine's sink port defaults to 7200. */
    public static final class Sink extends ConnectorOptions {
        @Option(names = "--engine-port", description = "The engine's sink port.")
        int enginePort = 7200;

        @Override
        public int enginePort() {
            return enginePort;
        }
    }

    static String defaultInstanceName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
