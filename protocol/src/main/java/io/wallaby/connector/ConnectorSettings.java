package io.wallaby.connector;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where the engine is and how this connector introduces itself in HELLO. Usually built by
 * {@link ConnectorOptions#settings(String)} from the command line.
 *
 * @param engineHost   the engine to dial, or the first of a cluster's engines
 * @param programName  what the connector is, e.g. {@code wallaby-source-postgres}
 * @param instanceName which running copy it is, e.g. {@code host-1234}
 * @param tlsTrust     PEM certificate (or bundle) to trust: the connection is TLS, and the engine's
 *                     certificate must chain to one of these and name {@code engineHost}; {@code null}
 *                     for plain TCP
 * @param otherEngines the other engines of a cluster, after {@code engineHost:enginePort}; empty for one
 *                     engine. See {@link #engines()}.
 * @param engineSilenceTimeout a source only: how long a connection that waits on its engine may hear nothing
 *                     from it before it is given up and its streams are reopened where they are served now
 *                     ({@link Duration#ZERO}: never; see {@link SourceConnector}, "A silent engine").
 *                     {@link #DEFAULT_ENGINE_SILENCE_TIMEOUT} unless set ({@code --engine-silence-timeout}).
 */
public record ConnectorSettings(String engineHost, int enginePort, String cookie, String programName,
                                String instanceName, int maxFrameLength, Path tlsTrust,
                                List<EngineAddress> otherEngines, Duration engineSilenceTimeout) {

    /**
     * 15 s: a silent engine is probed after 7.5 s and has 7.5 s to answer, far above a GC pause and a healthy
     * engine's gaps between frames (it acknowledges as it processes, a stateful one after each checkpoint,
     * every 200 ms by default); with the embedded broker's 6 s session timeout, a frozen engine's partitions
     * have moved by the time it is given up. See {@link SourceConnector}, "A silent engine".
     */
    public static final Duration DEFAULT_ENGINE_SILENCE_TIMEOUT = Duration.ofSeconds(15);

    /** Settings for one engine or several, with the default {@link #engineSilenceTimeout()}. */
    public ConnectorSettings(String engineHost, int enginePort, String cookie, String programName,
                             String instanceName, int maxFrameLength, Path tlsTrust,
                             List<EngineAddress> otherEngines) {
        this(engineHost, enginePort, cookie, programName, instanceName, maxFrameLength, tlsTrust, otherEngines,
                DEFAULT_ENGINE_SILENCE_TIMEOUT);
    }

    /** Settings for one engine. */
    public ConnectorSettings(String engineHost, int enginePort, String cookie, String programName,
                             String instanceName, int maxFrameLength, Path tlsTrust) {
        this(engineHost, enginePort, cookie, programName, instanceName, maxFrameLength, tlsTrust, List.of());
    }

    /** Plain-TCP settings (no {@code --tls-trust}) for one engine. */
    public ConnectorSettings(String engineHost, int enginePort, String cookie, String programName,
                             String instanceName, int maxFrameLength) {
        this(engineHost, enginePort, cookie, programName, instanceName, maxFrameLength, null);
    }

    public ConnectorSettings {
        Objects.requireNonNull(engineHost, "engineHost");
        Objects.requireNonNull(cookie, "cookie");
        Objects.requireNonNull(programName, "programName");
        Objects.requireNonNull(instanceName, "instanceName");
        otherEngines = List.copyOf(otherEngines);
        Objects.requireNonNull(engineSilenceTimeout, "engineSilenceTimeout");
        if (engineSilenceTimeout.isNegative()) {
            throw new IllegalArgumentException("engineSilenceTimeout must not be negative, was " + engineSilenceTimeout);
        }
    }

    /**
     * Every engine this connector is given, the first one ({@code engineHost:enginePort}) first. A source
     * opens a stream on the first and follows the engines' redirects; a sink dials every one.
     */
    public List<EngineAddress> engines() {
        List<EngineAddress> engines = new ArrayList<>(1 + otherEngines.size());
        engines.add(new EngineAddress(engineHost, enginePort));
        engines.addAll(otherEngines);
        return List.copyOf(engines);
    }

    /** The same settings for the engines of a cluster, the first of {@code engines} dialled first. */
    public ConnectorSettings withEngines(List<EngineAddress> engines) {
        if (engines.isEmpty()) {
            throw new IllegalArgumentException("at least one engine is needed");
        }
        EngineAddress first = engines.get(0);
        return new ConnectorSettings(first.host(), first.port(), cookie, programName, instanceName, maxFrameLength,
                tlsTrust, engines.subList(1, engines.size()), engineSilenceTimeout);
    }

    /** The same settings for the one engine at {@code address}: as asked for by a RESTART frame, or one of a cluster's. */
    ConnectorSettings withAddress(EngineAddress address) {
        return new ConnectorSettings(address.host(), address.port(), cookie, programName, instanceName,
                maxFrameLength, tlsTrust, List.of(), engineSilenceTimeout);
    }

    /** The same settings introducing the connector as {@code instance} (a source's probe of a silent engine). */
    ConnectorSettings withInstanceName(String instance) {
        return new ConnectorSettings(engineHost, enginePort, cookie, programName, instance, maxFrameLength, tlsTrust,
                otherEngines, engineSilenceTimeout);
    }

    /** The same settings speaking TLS and trusting the certificates in {@code pem} ({@code null}: plain TCP). */
    public ConnectorSettings withTlsTrust(Path pem) {
        return new ConnectorSettings(engineHost, enginePort, cookie, programName, instanceName, maxFrameLength, pem,
                otherEngines, engineSilenceTimeout);
    }

    /**
     * The same settings with another {@link #engineSilenceTimeout()} (a source's; {@link Duration#ZERO}: a
     * connection is never given up for its engine's silence).
     */
    public ConnectorSettings withEngineSilenceTimeout(Duration timeout) {
        return new ConnectorSettings(engineHost, enginePort, cookie, programName, instanceName, maxFrameLength,
                tlsTrust, otherEngines, timeout);
    }

    @Override
    public String toString() {
        // The cookie is a shared secret: never print it.
        StringBuilder engines = new StringBuilder(engineHost + ":" + enginePort);
        otherEngines.forEach(e -> engines.append(',').append(e));
        return "ConnectorSettings[engine=" + engines + ", program=" + programName
                + ", instance=" + instanceName + (tlsTrust == null ? "" : ", tlsTrust=" + tlsTrust)
                + ", engineSilenceTimeout=" + engineSilenceTimeout + "]";
    }
}
