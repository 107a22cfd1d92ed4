package io.wallaby.kafkabroker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one single-node broker is told: where it listens, where it keeps its data, how long a consumer group member
 * may stay silent. {@link #serverProperties()} turns it into the {@code server.properties} of a combined
 * broker+controller KRaft node. Imports no Kafka class, so the flags can be checked before Kafka is loaded.
 */
record BrokerSettings(String host, int port, int controllerPort, Path dir, Duration sessionTimeout) {

    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 9092;
    static final int DEFAULT_CONTROLLER_PORT = 9093;
    static final String DEFAULT_DIR = ".wallaby/kafka";
    static final String DEFAULT_SESSION_TIMEOUT = "6s";

    /** The node id of the only node; also the controller quorum's only voter. */
    static final int NODE_ID = 1;

    /**
     * The heartbeat interval the broker gives KIP-848 consumers. The broker requires it below the session timeout,
     * and at or above {@code group.consumer.min.heartbeat.interval.ms} (5 s by default, so that is lowered too).
     */
    static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);

    /** Kafka's own upper bound for the consumer group session timeout, raised only when --session-timeout is above. */
    private static final long KAFKA_MAX_SESSION_TIMEOUT_MS = 60_000;

    /** The storage directory, {@code log.dirs} (the metadata log lives there too). */
    Path dataDir() {
        return dir.resolve("data");
    }

    /** The file written at every start from these settings. */
    Path propertiesFile() {
        return dir.resolve("server.properties");
    }

    /** The broker's own log (WARN and above, and this module's lines). */
    Path logFile() {
        return dir.resolve("broker.log");
    }

    String bootstrap() {
        return host + ":" + port;
    }

    /** What is wrong with the flags, one sentence each; empty when they can be used. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (host == null || host.isBlank()) {
            problems.add("--host must not be empty");
        }
        checkPort(problems, "--port", port);
        checkPort(problems, "--controller-port", controllerPort);
        if (port == controllerPort) {
            problems.add("--port and --controller-port must differ (both are " + port + ")");
        }
        if (sessionTimeout.compareTo(HEARTBEAT_INTERVAL) <= 0) {
            problems.add("--session-timeout must be longer than the heartbeat interval of "
                    + HEARTBEAT_INTERVAL.toMillis() + " ms (it is " + sessionTimeout.toMillis() + " ms)");
        } else if (sessionTimeout.toMillis() > Integer.MAX_VALUE) {
            problems.add("--session-timeout must be at most " + Integer.MAX_VALUE + " ms");
        }
        return problems;
    }

    private static void checkPort(List<String> problems, String option, int port) {
        if (port < 1 || port > 65_535) {
            problems.add(option + " must be a port between 1 and 65535 (it is " + port + ")");
        }
    }

    /** The broker's configuration, in the order it is written to {@code server.properties}. */
    Map<String, String> serverProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        // One node that is both the KRaft controller and the broker, the quorum's only voter.
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dataDir().toAbsolutePath().toString());
        // One replica of everything; one partition for each internal topic (one node: more only cost start-up time).
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("min.insync.replicas", "1");
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        p.put("group.initial.rebalance.delay.ms", "0");
        // How often the broker aborts transactions open past their timeout (10 s by default): a cluster engine killed
        // in the middle of a checkpoint holds back the restore of its partitions until then (docs/CLUSTER.md, point 7).
        p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        // The log cleaner's key map for compacted topics is allocated on the heap at start: 128 MB by default, most of
        // a small broker's live heap. 32 MB still holds about 1.3 million keys per cleaning pass.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(32 * 1024 * 1024));
        // KIP-848 consumer groups: how soon a silent member loses its partitions (docs/CLUSTER.md says why short here).
        long session = sessionTimeout.toMillis();
        p.put("group.consumer.session.timeout.ms", String.valueOf(session));
        p.put("group.consumer.min.session.timeout.ms", String.valueOf(session));
        p.put("group.consumer.max.session.timeout.ms", String.valueOf(Math.max(KAFKA_MAX_SESSION_TIMEOUT_MS, session)));
        p.put("group.consumer.heartbeat.interval.ms", String.valueOf(HEARTBEAT_INTERVAL.toMillis()));
        p.put("group.consumer.min.heartbeat.interval.ms", String.valueOf(HEARTBEAT_INTERVAL.toMillis()));
        return p;
    }
}
