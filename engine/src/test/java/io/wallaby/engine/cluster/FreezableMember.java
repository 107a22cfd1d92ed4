package io.wallaby.engine.cluster;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A member of a cluster's group that a test can freeze: its thread stops polling but keeps the view it had (the
 * partitions it owned, its group metadata), as an engine paused by the operating system or stuck in a long GC
 * would when it wakes up. Frozen past {@code max.poll.interval.ms}, the KIP-848 consumer leaves the group on its
 * own, and the broker moves its partitions on, which makes it a zombie. It publishes its group metadata after each
 * poll and in each rebalance callback, and answers {@link #owns} as {@link ClusterMembership} does; a test may run
 * a final checkpoint inside {@code onPartitionsRevoked} ({@link #onRevoked}).
 */
final class FreezableMember implements PartitionOwnership, AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private final Set<Integer> revoking = ConcurrentHashMap.newKeySet();
    private volatile Consumer<Set<Integer>> onRevoked = partitions -> { };
    private final Thread thread;
    private final Object lock = new Object();
    private volatile ConsumerGroupMetadata groupMetadata;
    private volatile boolean running = true;
    private boolean frozen;
    private boolean polling;

    FreezableMember(String kafka, String cluster, String clientId, Duration maxPollInterval) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, cluster);
        properties.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        properties.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        properties.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) maxPollInterval.toMillis());
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer = new KafkaConsumer<>(properties);
        consumer.subscribe(List.of("wallaby." + cluster + ".control"), new Rebalance());
        thread = new Thread(this::run, "member-" + clientId);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                synchronized (lock) {
                    while (frozen && running) {
                        polling = false;
                        lock.notifyAll();
                        lock.wait();
                    }
                    polling = true;
                }
                consumer.poll(Duration.ofMillis(50));
                groupMetadata = consumer.groupMetadata();
            }
        } catch (WakeupException | InterruptedException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Stops polling; returns once the thread is out of {@code poll}, its view as it last was. */
    void freeze() throws InterruptedException {
        synchronized (lock) {
            frozen = true;
            while (polling) {
                lock.wait();
            }
        }
    }

    void resume() {
        synchronized (lock) {
            frozen = false;
            lock.notifyAll();
        }
    }

    /** Runs {@code hook} inside {@code onPartitionsRevoked}, on the member's thread, as an engine's final checkpoint. */
    void onRevoked(Consumer<Set<Integer>> hook) {
        onRevoked = hook;
    }

    /** As {@link ClusterMembership#owns}: owned, or being revoked inside the callback. */
    @Override
    public boolean owns(int partition) {
        return owned.contains(partition) || revoking.contains(partition);
    }

    @Override
    public ConsumerGroupMetadata groupMetadata() {
        return groupMetadata;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        resume();
        consumer.wakeup();
        thread.join(10_000);
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            groupMetadata = consumer.groupMetadata();
            partitions.forEach(partition -> owned.add(partition.partition()));
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            groupMetadata = consumer.groupMetadata();
            Set<Integer> revoked = numbers(partitions);
            revoking.addAll(revoked);
            owned.removeAll(revoked);
            try {
                onRevoked.accept(revoked);
            } finally {
                revoking.removeAll(revoked);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            groupMetadata = consumer.groupMetadata();
            owned.removeAll(numbers(partitions));
        }

        private static Set<Integer> numbers(Collection<TopicPartition> partitions) {
            return Set.copyOf(partitions.stream().map(TopicPartition::partition).toList());
        }
    }
}
