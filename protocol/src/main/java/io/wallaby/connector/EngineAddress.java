package io.wallaby.connector;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where one engine listens: a host name or address and a port. A connector of a cluster is given several
 * ({@code --engine-host a:7100,b:7100}); a RESTART frame names one as {@code "host:port"}.
 */
public record EngineAddress(String host, int port) {

    public EngineAddress {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("an engine address needs a host");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("an engine port must be between 1 and 65535, was " + port);
        }
    }

    /**
     * Reads {@code --engine-host}: a comma-separated list of {@code host} or {@code host:port} (an IPv6
     * address in brackets when it has a port: {@code [::1]:7100}), each without a port taking
     * {@code defaultPort}.
     *
     * @throws ConfigurationException when an entry is empty, its port is not a number between 1 and 65535,
     *                                or an engine is named twice
     */
    public static List<EngineAddress> parseList(String text, int defaultPort) {
        List<EngineAddress> engines = new ArrayList<>();
        for (String entry : text.split(",", -1)) {
            EngineAddress engine = parseEntry(entry.strip(), defaultPort, text);
            if (engines.contains(engine)) {
                throw new ConfigurationException("--engine-host names " + engine + " twice: '" + text + "'");
            }
            engines.add(engine);
        }
        return List.copyOf(engines);
    }

    private static EngineAddress parseEntry(String entry, int defaultPort, String whole) {
        if (entry.isEmpty()) {
            throw new ConfigurationException("--engine-host has an empty entry: '" + whole
                    + "'; give host or host:port, separated by commas");
        }
        String host = entry;
        String port = null;
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            if (close < 0 || (close < entry.length() - 1 && entry.charAt(close + 1) != ':')) {
                throw new ConfigurationException("--engine-host entry '" + entry
                        + "' is not [IPv6 address] or [IPv6 address]:port");
            }
            host = entry.substring(1, close);
            port = close < entry.length() - 1 ? entry.substring(close + 2) : null;
        } else if (entry.indexOf(':') >= 0 && entry.indexOf(':') == entry.lastIndexOf(':')) {
            host = entry.substring(0, entry.indexOf(':'));
            port = entry.substring(entry.indexOf(':') + 1);
        } // more than one colon and no brackets: an IPv6 address without a port
        if (host.isEmpty()) {
            throw new ConfigurationException("--engine-host entry '" + entry + "' has no host");
        }
        int number = port == null ? defaultPort : parsePort(port);
        if (number < 0) {
            throw new ConfigurationException("--engine-host entry '" + entry + "' has the port '" + port
                    + "'; a port is a number between 1 and 65535");
        }
        return new EngineAddress(host, number);
    }

    /**
     * The address a RESTART frame names ({@code "host:port"}), or empty when it is not one: no host, no
     * port, a port outside 1-65535. An empty text is empty too (a restart "to the same address").
     */
    static Optional<EngineAddress> ofRestart(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]") && host.length() > 2) {
            host = host.substring(1, host.length() - 1);
        }
        int port = parsePort(address.substring(colon + 1));
        return port < 0 ? Optional.empty() : Optional.of(new EngineAddress(host, port));
    }

    /** The port, or -1 when {@code text} is not one. */
    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            return port >= 1 && port <= 65_535 ? port : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code host:port}, as a RESTART frame names it ({@code [host]:port} for an IPv6 address). */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
