package io.wallaby.engine.cluster;

import java.util.Optional;

/**
 * Where a member of the cluster takes connectors, carried in its Kafka {@code client.id} so that the group
 * itself is the directory: {@code wallaby-engine@HOST:SOURCE_PORT;sink=PORT;admin=PORT} (admin -1: none).
 *
 * @param host       the advertised host
 * @param sourcePort the port source connectors dial
 * @param sinkPort   the port sink connectors dial
 * @param adminPort  the admin HTTP port, or -1
 */
public record MemberAddress(String host, int sourcePort, int sinkPort, int adminPort) {

    private static final String PREFIX = "wallaby-engine@";

    /** What source connectors are redirected to: {@code host:sourcePort}. */
    public String source() {
        return host + ":" + sourcePort;
    }

    public String clientId() {
        return PREFIX + source() + ";sink=" + sinkPort + ";admin=" + adminPort;
    }

    /** The address in a member's client id; empty for a client id that is not an engine's. */
    public static Optional<MemberAddress> parse(String clientId) {
        if (clientId == null || !clientId.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String[] parts = clientId.substring(PREFIX.length()).split(";");
        int colon = parts[0].lastIndexOf(':');
        if (colon < 1 || parts.length != 3 || !parts[1].startsWith("sink=") || !parts[2].startsWith("admin=")) {
            return Optional.empty();
        }
        try {
            return Optional.of(new MemberAddress(parts[0].substring(0, colon),
                    Integer.parseInt(parts[0].substring(colon + 1)), Integer.parseInt(parts[1].substring(5)),
                    Integer.parseInt(parts[2].substring(6))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return source();
    }
}
