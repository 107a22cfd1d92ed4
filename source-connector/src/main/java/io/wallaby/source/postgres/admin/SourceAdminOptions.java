package io.wallaby.source.postgres.admin;

import io.wallaby.connector.ConfigurationException;
import picocli.CommandLine.Option;

/**
 * The admin port's flags, for a source command to take as a picocli {@code @Mixin}:
 * {@code --admin-port} (unset: no admin port) and {@code --admin-host}.
 */
public final class SourceAdminOptions {

    @Option(names = "--admin-port", description = "HTTP port for /health and /metrics (Prometheus) on --admin-host "
            + "(0: any free port; unset: no admin port).")
    Integer port;

    @Option(names = "--admin-host", description = "The address the admin port binds to.")
    String host = SourceAdminServer.DEFAULT_HOST;

    /** Whether {@code --admin-port} was given. */
    public boolean enabled() {
        return port != null;
    }

    /**
     * The port asked for (0: any free one); only when {@link #enabled()}.
     *
     * @throws ConfigurationException when it is not a TCP port number
     */
    public int port() {
        if (port == null) {
            throw new IllegalStateException("no --admin-port");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigurationException("--admin-port must be between 0 and 65535, not " + port);
        }
        return port;
    }

    public String host() {
        return host;
    }
}
