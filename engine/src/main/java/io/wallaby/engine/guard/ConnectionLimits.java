package io.wallaby.engine.guard;

import java.time.Duration;
import java.util.List;

/**
 * What the engine tolerates from one peer before it refuses it.
 *
 * @param maxConnections          open connections per port; the next one gets ERROR and is closed
 * @param handshakeTimeout        how long a new connection may take to say HELLO ({@link Duration#ZERO}: forever)
 * @param idleTimeout             how long a connection may send no frame at all ({@link Duration#ZERO}: forever)
 * @param maxStreamsPerConnection source streams one connection may hold open; NOTIFY beyond gets NOTIFY_ACK 0
 */
public record ConnectionLimits(int maxConnections, Duration handshakeTimeout, Duration idleTimeout,
                               int maxStreamsPerConnection) {

    public static final int DEFAULT_MAX_CONNECTIONS = 100;
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Off: the protocol has no heartbeat, so a quiet source or an idle sink is not a broken one. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ZERO;
    public static final int DEFAULT_MAX_STREAMS_PER_CONNECTION = 1000;

    public static ConnectionLimits defaults() {
        return new ConnectionLimits(DEFAULT_MAX_CONNECTIONS, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_MAX_STREAMS_PER_CONNECTION);
    }

    /** What is wrong with these limits, one sentence each, naming the option. */
    public void addProblems(List<String> problems) {
        if (maxConnections < 1) {
            problems.add("--max-connections must be at least 1, was " + maxConnections);
        }
        if (handshakeTimeout.isNegative()) {
            problems.add("--handshake-timeout must not be negative, was " + handshakeTimeout);
        }
        if (idleTimeout.isNegative()) {
            problems.add("--idle-timeout must not be negative, was " + idleTimeout);
        }
        if (maxStreamsPerConnection < 1) {
            problems.add("--max-streams-per-connection must be at least 1, was " + maxStreamsPerConnection);
        }
    }
}
