package io.wallaby.connector;

import java.util.Optional;

/**
 * An engine of a cluster as its Kafka consumer-group member names itself: each engine joins the group with
 * {@code client.id = wallaby-engine@HOST:SOURCE_PORT;sink=PORT;admin=PORT} (admin -1: no admin port), so the
 * group's member list ({@code Admin.describeConsumerGroups}) is the directory of the cluster's engines. This is
 * the SDK's reading of that contract (docs/PROTOCOL.md, "Clusters: the engines' addresses in the group"); the
 * engine writes it (its {@code MemberAddress}), and a test on each side checks that one reads what the other writes.
 *
 * <p>The reading is lenient where the format may grow: after {@code HOST:SOURCE_PORT} come {@code ;key=value}
 * fields in any order, of which {@code sink} is required, {@code admin} optional (-1 when absent) and any other
 * ignored. {@code HOST} is everything before the last colon (an IPv6 address may be in brackets).
 *
 * @param host       the engine's advertised host
 * @param sourcePort where source connectors connect
 * @param sinkPort   where sink connectors connect
 * @param adminPort  the engine's admin HTTP port, or -1
 */
public record ClusterMember(String host, int sourcePort, int sinkPort, int adminPort) {

    /** What every engine's client id starts with; a member whose client id does not is not an engine. */
    public static final String CLIENT_ID_PREFIX = "wallaby-engine@";

    /** Where this engine takes sink connectors. */
    public EngineAddress sinkAddress() {
        return new EngineAddress(host, sinkPort);
    }

    /** Where this engine takes source connectors. */
    public EngineAddress sourceAddress() {
        return new EngineAddress(host, sourcePort);
    }

    /**
     * The engine a group member's client id names; empty when it is not an engine's ({@code null}, another
     * prefix, no host, a port that is not a number between 1 and 65535, no {@code sink} field).
     */
    public static Optional<ClusterMember> parseClientId(String clientId) {
        if (clientId == null || !clientId.startsWith(CLIENT_ID_PREFIX)) {
            return Optional.empty();
        }
        String[] parts = clientId.substring(CLIENT_ID_PREFIX.length()).split(";", -1);
        int colon = parts[0].lastIndexOf(':');
        if (colon < 1) {
            return Optional.empty();
        }
        String host = parts[0].substring(0, colon);
        if (host.length() > 2 && host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int source = port(parts[0].substring(colon + 1));
        int sink = -1;
        int admin = -1;
        for (int i = 1; i < parts.length; i++) {
            int equals = parts[i].indexOf('=');
            if (equals < 0) {
                continue;
            }
            String key = parts[i].substring(0, equals);
            String value = parts[i].substring(equals + 1);
            if (key.equals("sink")) {
                sink = port(value);
            } else if (key.equals("admin")) {
                admin = value.equals("-1") ? -1 : port(value);
            }
        }
        if (host.isEmpty() || source < 0 || sink < 0) {
            return Optional.empty();
        }
        return Optional.of(new ClusterMember(host, source, sink, admin));
    }

    /** The port, or -1 when {@code text} is not one. */
    private static int port(String text) {
        try {
            int port = Integer.parseInt(text);
            return port >= 1 && port <= 65_535 ? port : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
