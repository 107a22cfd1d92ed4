package io.wallaby.engine.cluster;

import io.wallaby.engine.stream.Placement;
import io.wallaby.engine.stream.SourceStream;
import io.wallaby.engine.stream.StreamRegistry;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * This engine's membership of its cluster: a member of the consumer group {@code NAME} (KIP-848, the broker
 * assigns) subscribed to the control topic {@code wallaby.NAME.control}, whose partitions assigned to it are
 * the partitions of source streams it serves ({@link #partitionOf}). It reads no records: the assignment is
 * the point. One thread, "wallaby-cluster", owns the Kafka consumer (which is not thread-safe): it polls,
 * runs the rebalance callbacks and refreshes the {@link MemberDirectory}.
 *
 * <p>When partitions are revoked (another engine joined, or this one leaves) or lost (this engine was cut
 * off past the session timeout), the streams in them are let go at once: each connection holding one
 * redirects its connector (RESTART, NOTIFY_ACK 0), then the {@link PartitionHandover} checkpoints them a last
 * time (unless lost) and forgets them, and Kafka hands the partition on only after the callback returned. An
 * assigned partition is served once the handover has restored its streams. The new owner is fed what the
 * sources have not had acknowledged, and outputs keep their deterministic ids, so the sink skips what it
 * already has.
 *
 * <p>For a stateful pipeline's checkpoints it is the {@link PartitionOwnership} a {@link KafkaCheckpointStore}
 * asks: after every poll, and at the start of every rebalance callback, the membership thread publishes the
 * consumer's group metadata (member id and epoch) in a volatile field, since the checkpoint thread may not call
 * the consumer itself (the KIP-848 consumer throws {@code ConcurrentModificationException} on a second thread).
 */
public final class ClusterMembership implements Placement, PartitionOwnership, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterMembership.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final long DIRECTORY_REFRESH_MILLIS = 1000;
    private static final long REDIRECT_WAIT_MILLIS = 5000;
    private static final long RESTORE_RETRY_MILLIS = 1000;

    private final ClusterSettings cluster;
    private final StreamRegistry registry;
    private final String controlTopic;
    private final MemberDirectory directory;
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    /** Partitions assigned whose streams are not restored yet: not served until they are. */
    private final Set<Integer> restoring = ConcurrentHashMap.newKeySet();
    /** Partitions in {@code onPartitionsRevoked}: no longer served, still the member's until it returns. */
    private final Set<Integer> revoking = ConcurrentHashMap.newKeySet();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean refreshWanted;
    private volatile long revocations;
    private volatile MemberAddress self;
    private volatile ConsumerGroupMetadata groupMetadata;
    private PartitionHandover handover;
    /** When to try again to restore {@link #restoring}; on the membership thread. */
    private long nextRestoreMillis;
    private Admin admin;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;

    public ClusterMembership(ClusterSettings cluster, StreamRegistry registry) {
        this.cluster = cluster;
        this.registry = registry;
        this.controlTopic = "wallaby." + cluster.name() + ".control";
        this.directory = new MemberDirectory(cluster.name(), controlTopic, cluster.partitions());
    }

    /** The partition of the control topic a source stream belongs to; fixed for the cluster's life. */
    public static int partitionOf(long streamId, int partitions) {
        return (int) Long.remainderUnsigned(streamId, partitions);
    }

    /**
     * Makes sure the control topic exists with the configured partitions, then joins the group.
     *
     * @param handover told, on the membership thread, when partitions arrive and leave
     * @throws ClusterException when Kafka cannot be reached or the topic disagrees with this engine's settings
     */
    public void start(MemberAddress address, PartitionHandover handover) throws ClusterException,
            InterruptedException {
        self = address;
        this.handover = handover;
        Properties adminProperties = new Properties();
        adminProperties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafka());
        adminProperties.put(AdminClientConfig.CLIENT_ID_CONFIG, "wallaby-admin@" + address.source());
        adminProperties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        adminProperties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        admin = Admin.create(adminProperties);
        ensureControlTopic();
        consumer = new KafkaConsumer<>(consumerProperties(address));
        thread = new Thread(this::run, "wallaby-cluster");
        thread.setDaemon(true);
        thread.start();
        log.info("Joining cluster {} through Kafka at {} as {}: control topic {} ({} partitions)", cluster.name(),
                cluster.kafka(), address.source(), controlTopic, cluster.partitions());
    }

    private Properties consumerProperties(MemberAddress address) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafka());
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, cluster.name());
        // KIP-848: the broker computes a sticky, incremental assignment; session timeout is the broker's.
        properties.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        properties.put(CommonClientConfigs.CLIENT_ID_CONFIG, address.clientId());
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return properties;
    }

    private void ensureControlTopic() throws ClusterException, InterruptedException {
        try {
            admin.createTopics(List.of(new NewTopic(controlTopic, Optional.of(cluster.partitions()),
                    Optional.empty()))).all().get(30, TimeUnit.SECONDS);
            log.info("Created the control topic {} with {} partitions", controlTopic, cluster.partitions());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable(e.getCause());
            }
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new ClusterException("cannot create the control topic " + controlTopic + " on Kafka at "
                        + cluster.kafka() + ": " + e.getCause().getMessage(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw unreachable(e);
        }
        int found = TopicDescriptions.once(controlTopic, cluster.kafka(), () -> admin.describeTopics(
                List.of(controlTopic)).allTopicNames().get(30, TimeUnit.SECONDS).get(controlTopic).partitions().size());
        if (found != cluster.partitions()) {
            throw new ClusterException("cluster " + cluster.name() + " was created with " + found + " partitions, "
                    + "this engine was given --cluster-partitions " + cluster.partitions() + ": start it with "
                    + "--cluster-partitions " + found + " (the partitions of a cluster are fixed when it is created; "
                    + "another count needs a new cluster name)", null);
        }
    }

    private ClusterException unreachable(Throwable cause) {
        return new ClusterException("no answer from Kafka at " + cluster.kafka() + ": is it running (./launch.sh "
                + "kafka) and is --kafka right? (" + cause.getMessage() + ")", cause);
    }

    private void run() {
        try {
            consumer.subscribe(List.of(controlTopic), new Rebalance());
            long nextRefresh = 0;
            while (running) {
                consumer.poll(POLL);
                publishGroupMetadata();
                long now = System.currentTimeMillis();
                if (!restoring.isEmpty() && now >= nextRestoreMillis) {
                    takeRestoring();
                }
                if (refreshWanted || now >= nextRefresh) {
                    refreshWanted = false;
                    refreshDirectory();
                    nextRefresh = now + DIRECTORY_REFRESH_MILLIS;
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            log.error("Cluster membership failed: {}; this engine serves no stream any more", e.toString(), e);
            letGo(List.copyOf(owned), "membership failed", true);
        } finally {
            try {
                consumer.close(); // leaves the group: the partitions move on at once (revoked callbacks run here)
            } catch (RuntimeException e) {
                log.warn("Leaving the cluster: {}", e.toString());
            }
            stopped.countDown();
        }
    }

    private void refreshDirectory() {
        try {
            directory.refresh(admin, 2000);
        } catch (ExecutionException | TimeoutException e) {
            log.debug("Describing cluster {}: {}", cluster.name(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The consumer's rebalance callbacks, on the membership thread. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            publishGroupMetadata();
            restoring.addAll(numbers(partitions));
            refreshWanted = true;
            takeRestoring();
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            publishGroupMetadata();
            List<Integer> revoked = numbers(partitions);
            restoring.removeAll(revoked);
            revoking.addAll(revoked);
            try {
                letGo(revoked, "revoked", false);
            } finally {
                revoking.removeAll(revoked);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            publishGroupMetadata();
            List<Integer> lost = numbers(partitions);
            restoring.removeAll(lost);
            letGo(lost, "lost (this engine was out of touch with the group past its session timeout)", true);
        }
    }

    /**
     * Serves the partitions assigned once their streams are restored (a stateful pipeline's checkpoints); when
     * that fails, the ERROR says why and it is tried again a second later, the partitions unserved meanwhile.
     */
    private void takeRestoring() {
        Set<Integer> taking = Set.copyOf(restoring);
        if (taking.isEmpty()) {
            return;
        }
        try {
            handover.take(taking);
        } catch (IOException | RuntimeException e) {
            nextRestoreMillis = System.currentTimeMillis() + RESTORE_RETRY_MILLIS;
            log.error("Cluster {}: cannot restore the streams of partitions {} ({}); they are not served until "
                    + "this succeeds, tried again every {} ms. Check that Kafka at {} is reachable", cluster.name(),
                    new TreeSet<>(taking), e.toString(), RESTORE_RETRY_MILLIS, cluster.kafka(), e);
            return;
        }
        restoring.removeAll(taking);
        owned.addAll(taking);
        refreshWanted = true;
        log.info("Cluster {}: now serving partitions {} ({} in all)", cluster.name(), new TreeSet<>(taking),
                owned.size());
    }

    /**
     * Stops serving {@code partitions}: every stream in them is redirected, then handed over (a last checkpoint
     * unless {@code lost}) and forgotten; returns once that is done.
     */
    private void letGo(List<Integer> partitions, String why, boolean lost) {
        if (partitions.isEmpty()) {
            return;
        }
        owned.removeAll(partitions);
        revocations++;
        refreshWanted = true;
        Set<Integer> gone = Set.copyOf(partitions);
        List<Future<?>> redirects = new ArrayList<>();
        for (SourceStream stream : registry.sources()) {
            if (gone.contains(partitionOf(stream.id(), cluster.partitions()))) {
                redirects.add(stream.redirect(""));
            }
        }
        for (Future<?> redirect : redirects) {
            try {
                redirect.get(REDIRECT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                log.warn("Redirecting a stream of a partition that moved: {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        log.info("Cluster {}: partitions {} {}; {} open stream(s) redirected", cluster.name(),
                new TreeSet<>(partitions), why, redirects.size());
        handover.release(gone, lost);
    }

    /** On the membership thread, the only one that may call the consumer. */
    private void publishGroupMetadata() {
        groupMetadata = consumer.groupMetadata();
    }

    @Override
    public ConsumerGroupMetadata groupMetadata() {
        return groupMetadata;
    }

    /**
     * Whether a checkpoint of {@code partition}'s streams may be written: it is served here, or it is being
     * revoked and {@code onPartitionsRevoked} has not returned, which is when a final checkpoint is taken (the
     * group coordinator holds the partition as this member's until the revocation is acknowledged, after the
     * callback). A lost partition is not: the member is already out of the group.
     */
    @Override
    public boolean owns(int partition) {
        return owned.contains(partition) || revoking.contains(partition);
    }

    private static List<Integer> numbers(Collection<TopicPartition> partitions) {
        return partitions.stream().map(TopicPartition::partition).sorted().toList();
    }

    @Override
    public String elsewhere(long streamId) {
        int partition = partitionOf(streamId, cluster.partitions());
        if (owned.contains(partition)) {
            return null;
        }
        MemberAddress owner = directory.owner(partition);
        if (owner == null || owner.equals(self)) {
            refreshWanted = true; // the directory lags: ask the group again soon
            return "";
        }
        return owner.source();
    }

    /** What /status and /metrics show about the cluster. */
    public ClusterView view() {
        MemberDirectory.Snapshot snapshot = directory.snapshot();
        long now = System.currentTimeMillis();
        long oldestUnowned = snapshot.unownedSinceMillis().values().stream().mapToLong(Long::longValue).min()
                .orElse(now);
        List<ClusterView.Member> members = snapshot.members().stream()
                .map(m -> new ClusterView.Member(m.address() == null ? m.clientId() : m.address().source(),
                        m.address() == null ? -1 : m.address().sinkPort(),
                        m.address() == null ? -1 : m.address().adminPort(), m.partitions()))
                .toList();
        return new ClusterView(cluster.name(), cluster.kafka(), self == null ? null : self.source(),
                cluster.partitions(), new TreeSet<>(owned).stream().toList(),
                new TreeSet<>(restoring).stream().toList(), members,
                List.copyOf(snapshot.unownedSinceMillis().keySet()), (now - oldestUnowned) / 1e3, revocations,
                snapshot.takenAtMillis() == 0 ? -1 : (now - snapshot.takenAtMillis()) / 1e3);
    }

    /** Partitions this engine serves right now. */
    public int ownedCount() {
        return owned.size();
    }

    /**
     * Leaves the group (the partitions move to the other members at once, the streams in them are redirected)
     * and waits for that, up to {@code timeout}. Idempotent.
     */
    public void leave(Duration timeout) throws InterruptedException {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (thread != null && !stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("Leaving cluster {} took longer than {} ms", cluster.name(), timeout.toMillis());
        }
    }

    @Override
    public void close() {
        try {
            leave(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }

    /** Kafka cannot be used as configured; the message says what to do. */
    public static final class ClusterException extends Exception {
        public ClusterException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Override
    public String toString() {
        return "cluster " + cluster.name() + " (" + owned.size() + " partitions served here)";
    }
}
