package io.wallaby.kafkabroker;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * The Kafka half of the broker: formats the storage (in process, with the API {@code kafka-storage.sh format} uses),
 * runs a combined broker+controller {@link KafkaRaftServer} in this JVM, and tells when it serves. The only class of
 * this module that touches Kafka's server classes.
 */
final class KafkaNode {

    private final BrokerSettings settings;
    private final KafkaRaftServer server;

    private KafkaNode(BrokerSettings settings, KafkaRaftServer server) {
        this.settings = settings;
        this.server = server;
    }

    private static KafkaConfig config(BrokerSettings settings) {
        Properties properties = new Properties();
        properties.putAll(settings.serverProperties());
        return KafkaConfig.fromProps(properties, false);
    }

    /**
     * Formats the storage of a new node: a random cluster id, the latest production metadata version, the bootstrap
     * snapshot a controller needs. What {@code StorageTool format -t ID -c server.properties} does, without its
     * {@code Exit.exit}. Returns the cluster id.
     */
    static String format(BrokerSettings settings) throws StartFailedException {
        KafkaConfig config = config(settings);
        String clusterId = Uuid.randomUuid().toString();
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(said, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(out)
                    .setNodeId(config.nodeId())
                    .setClusterId(clusterId)
                    .setControllerListenerName(config.controllerListenerNames().get(0))
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setWriteBootstrapSnapshot(true) // this node is a controller
                    .setHasDynamicQuorum(false)      // static controller.quorum.voters
                    .setIgnoreFormatted(false)
                    .addDirectory(settings.dataDir().toAbsolutePath().toString())
                    .run();
        } catch (Exception e) {
            throw new StartFailedException("cannot format the Kafka storage in " + settings.dataDir() + ": "
                    + e.getMessage() + (said.size() > 0 ? " (" + said.toString(StandardCharsets.UTF_8).trim() + ")" : ""), e);
        }
        return clusterId;
    }

    /** Starts the node; it serves once {@link #awaitReady} returns. */
    static KafkaNode start(BrokerSettings settings) throws StartFailedException {
        KafkaRaftServer server;
        try {
            server = new KafkaRaftServer(config(settings), Time.SYSTEM);
        } catch (RuntimeException e) {
            throw new StartFailedException("cannot start Kafka on " + settings.dir() + ": " + rootMessage(e), e);
        }
        try {
            server.startup();
        } catch (RuntimeException e) {
            // As kafka.Kafka does: no shutdown of a half-started server, the process exits.
            throw new StartFailedException("Kafka did not start: " + rootMessage(e) + " (more in "
                    + settings.logFile() + ")", e);
        }
        return new KafkaNode(settings, server);
    }

    /**
     * Returns true once a client sees this node as a live broker: {@code describeCluster} through the client listener
     * lists it (a broker is listed only when the controller has unfenced it). Returns false as soon as
     * {@code giveUp} says so (a stop was asked for, or the node went down).
     */
    boolean awaitReady(Duration timeout, BooleanSupplier giveUp) throws StartFailedException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "wallaby-kafka-broker-readiness");
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        properties.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "50");
        String last = "no answer yet";
        try (Admin admin = Admin.create(properties)) {
            while (System.nanoTime() < deadline) {
                if (giveUp.getAsBoolean()) {
                    return false;
                }
                try {
                    Collection<Node> nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    if (nodes.stream().anyMatch(node -> node.id() == BrokerSettings.NODE_ID)) {
                        return true;
                    }
                    last = "the cluster lists " + nodes + ", not node " + BrokerSettings.NODE_ID;
                } catch (ExecutionException e) {
                    last = rootMessage(e);
                } catch (TimeoutException e) {
                    last = "describeCluster took more than 5 s";
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
        throw new StartFailedException("Kafka started but did not serve on " + settings.bootstrap() + " within "
                + timeout.toSeconds() + " s (" + last + "); see " + settings.logFile());
    }

    /** Blocks until the node has shut down, by {@link #stop} or on its own (a fatal error). */
    void awaitShutdown() {
        server.awaitShutdown();
    }

    /** Shuts the broker, then the controller, down in order; returns when they are down. */
    void stop() {
        server.shutdown();
        server.awaitShutdown();
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return root == e ? message : message + " [" + e.getClass().getSimpleName() + "]";
    }
}
