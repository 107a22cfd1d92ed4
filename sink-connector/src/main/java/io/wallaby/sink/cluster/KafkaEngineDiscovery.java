package io.wallaby.sink.cluster;

import io.wallaby.connector.ClusterMember;
import io.wallaby.connector.EngineAddress;
import io.wallaby.connector.EngineDiscovery;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Finds the engines of a cluster in Kafka: every {@code interval} it asks the engines' consumer group (the cluster's
 * name; docs/CLUSTER.md, point 1) for its members with {@code Admin.describeConsumerGroups}, reads each member's
 * client id ({@link ClusterMember}) and reports its sink address. What is reported again and again is the sink's
 * to ignore ({@code SinkConnector} dials an address once). A member that is not an engine is skipped.
 *
 * <p>When Kafka cannot be reached, or the group does not exist yet (no engine has joined), it logs a WARN and asks
 * again at the next look: it never gives up, as the sink never gives up on an engine that is not up yet.
 */
public final class KafkaEngineDiscovery implements EngineDiscovery {

    /** How often the group is asked, unless told otherwise. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    /** While the failure stays the same, it is logged again this often (else every look would log it). */
    private static final long REPEAT_WARNING_MILLIS = 30_000;

    private static final Logger log = LoggerFactory.getLogger(KafkaEngineDiscovery.class);

    private final String bootstrap;
    private final String cluster;
    private final Duration interval;
    private final String clientId;
    private volatile boolean closed;
    private Thread thread;
    private Admin admin;

    /**
     * @param bootstrap the Kafka brokers, {@code HOST:PORT[,...]}, as the engines are given them
     * @param cluster   the cluster's name: the engines' consumer group
     * @param interval  how long between two looks
     * @param clientId  this sink's client id in Kafka's logs
     */
    public KafkaEngineDiscovery(String bootstrap, String cluster, Duration interval, String clientId) {
        if (bootstrap == null || bootstrap.isBlank() || cluster == null || cluster.isBlank()) {
            throw new IllegalArgumentException("a Kafka bootstrap address and a cluster name are needed");
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the interval must be positive, was " + interval);
        }
        this.bootstrap = bootstrap;
        this.cluster = cluster;
        this.interval = interval;
        this.clientId = clientId;
    }

    @Override
    public synchronized void start(Consumer<EngineAddress> found) {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        long timeout = Math.max(5_000, 2 * interval.toMillis());
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeout));
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeout));
        properties.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 5_000);
        admin = Admin.create(properties); // connects lazily: an unreachable Kafka fails the first look, not this
        thread = new Thread(() -> run(found, timeout), "wallaby-sink-discovery");
        thread.setDaemon(true);
        thread.start();
        log.info("looking for the engines of cluster {} in Kafka at {} every {} ms", cluster, bootstrap,
                interval.toMillis());
    }

    private void run(Consumer<EngineAddress> found, long timeoutMillis) {
        Set<EngineAddress> seen = new LinkedHashSet<>();
        String lastFailure = null;
        long lastWarning = 0;
        while (!closed) {
            try {
                List<ClusterMember> members = members(timeoutMillis);
                if (lastFailure != null) {
                    log.info("Kafka at {} answers again: cluster {} has {} engines", bootstrap, cluster,
                            members.size());
                    lastFailure = null;
                }
                for (ClusterMember member : members) {
                    EngineAddress sink = member.sinkAddress();
                    if (seen.add(sink)) {
                        log.info("found engine {} of cluster {}: its sink port is {}", member.sourceAddress(),
                                cluster, sink);
                    }
                    found.accept(sink);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                String failure = describe(e);
                long now = System.currentTimeMillis();
                if (!failure.equals(lastFailure) || now - lastWarning >= REPEAT_WARNING_MILLIS) {
                    log.warn("cannot list the engines of cluster {} from Kafka at {} ({}); asking again every {} ms",
                            cluster, bootstrap, failure, interval.toMillis());
                    lastWarning = now;
                }
                lastFailure = failure;
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The engines the group lists now. */
    private List<ClusterMember> members(long timeoutMillis) throws Exception {
        ConsumerGroupDescription description;
        try {
            description = admin.describeConsumerGroups(List.of(cluster)).describedGroups().get(cluster)
                    .get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                throw new IllegalStateException("no engine has joined cluster " + cluster
                        + " yet: Kafka knows no consumer group of that name");
            }
            throw e;
        }
        List<ClusterMember> members = description.members().stream().map(MemberDescription::clientId)
                .map(ClusterMember::parseClientId).flatMap(java.util.Optional::stream).toList();
        if (members.isEmpty()) {
            throw new IllegalStateException("cluster " + cluster + " has no engine now (group state "
                    + description.groupState() + ")");
        }
        return members;
    }

    private static String describe(Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }
}
