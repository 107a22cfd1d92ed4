package io.wallaby.connector;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the engine is and how this connector introduces itself in HELLO. Usually built by
 * {@link ConnectorOptions#settings(String)} from the command line.
 *
 * @param programName  what the connector is, e.g. {@code wallaby-source-postgres}
 * @param instanceName which running copy it is, e.g. {@code host-1234}
 * @param tlsTrust     PEM certificate (or bundle) to trust: the connection is TLS, and the engine's
 *                     certificate must chain to one of these and name {@code engineHost}; {@code null}
 *                     for plain TCP
 */
public record ConnectorSettings(String engineHost, int enginePort, String cookie, String programName,
                                String instanceName, int maxFrameLength, Path tlsTrust) {

    /** Plain-TCP settings (no {@code --tls-trust}). */
    public ConnectorSettings(String engineHost, int enginePort, String cookie, String programName,
                             String instanceName, int maxFrameLength) {
        this(engineHost, enginePort, cookie, programName, instanceName, maxFrameLength, null);
    }

    public ConnectorSettings {
        Objects.requireNonNull(engineHost, "engineHost");
        Objects.requireNonNull(cookie, "cookie");
        Objects.requireNonNull(programName, "programName");
        Objects.requireNonNull(instanceName, "instanceName");
    }

    /** The same settings pointed at another engine address, as asked for by a RESTART frame. */
    ConnectorSettings withAddress(String host, int port) {
        return new ConnectorSettings(host, port, cookie, programName, instanceName, maxFrameLength, tlsTrust);
    }

    /** The same settings speaking TLS and trusting the certificates in {@code pem} ({@code null}: plain TCP). */
    public ConnectorSettings withTlsTrust(Path pem) {
        return new ConnectorSettings(engineHost, enginePort, cookie, programName, instanceName, maxFrameLength, pem);
    }

    @Override
    public String toString() {
        // The cookie is a shared secret: never print it.
        return "ConnectorSettings[engine=" + engineHost + ":" + enginePort + ", program=" + programName
                + ", instance=" + instanceName + (tlsTrust == null ? "" : ", tlsTrust=" + tlsTrust) + "]";
    }
}
