package io.wallaby.engine.cluster;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads checkpoint partitions from the beginning into a {@link CheckpointImage}, with a consumer of its own
 * (assigned, in no group) that sees committed transactions only.
 *
 * <p>It reads up to the <em>high watermark</em> each partition had when the read began, not to the last stable
 * offset a {@code read_committed} consumer would call the end: a transaction the previous owner still had open
 * holds the stable offset back, and stopping there could miss a checkpoint that commits a moment later and would
 * then stand beside this engine's own. Reaching the high watermark means every transaction below it has been
 * committed or aborted; the store flushes a checkpoint's records before the group coordinator accepts it, so an
 * accepted checkpoint of the previous owner is always below it.
 */
final class CheckpointReader {

    private static final Logger log = LoggerFactory.getLogger(CheckpointReader.class);
    private static final Duration POLL = Duration.ofMillis(200);

    /**
     * How long a read waits for its partitions: long enough for the broker to abort a transaction left open by an
     * engine that died in the middle of one (the transaction timeout, then the broker's cleanup every 10 s), should
     * fencing its writer fail.
     */
    static final Duration WAIT = KafkaCheckpointStore.TRANSACTION_TIMEOUT.plusSeconds(40);
    /**
     * After this a read still short of its end fences the writers of the transactions open on its partitions
     * ({@link HangingTransactions}): a checkpoint's transaction lasts milliseconds, so one open this long was
     * most likely left by an engine that died in the middle of it.
     */
    static final Duration FENCE_AFTER = Duration.ofSeconds(2);

    private final ClusterSettings settings;
    private final String topic;
    private final String member;
    private final Admin admin;
    private final HangingTransactions hanging;

    CheckpointReader(ClusterSettings settings, String topic, String member, Admin admin, String transactionalId) {
        this.settings = settings;
        this.topic = topic;
        this.member = member;
        this.admin = admin;
        this.hanging = new HangingTransactions(admin, transactionalId);
    }

    /** Reads the committed records of {@code partitions} up to their high watermarks of now. */
    CheckpointImage read(Set<Integer> partitions) throws IOException {
        CheckpointImage image = new CheckpointImage();
        if (partitions.isEmpty()) {
            return image;
        }
        long started = System.nanoTime();
        List<TopicPartition> assigned = new TreeSet<>(partitions).stream().map(p -> new TopicPartition(topic, p)).toList();
        Map<TopicPartition, Long> ends = highWatermarks(assigned);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties())) {
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Set<TopicPartition> unread = new HashSet<>(assigned);
            long deadline = started + WAIT.toNanos();
            long fenceAt = started + FENCE_AFTER.toNanos();
            while (!done(consumer, unread, ends)) {
                if (fenceAt != 0 && System.nanoTime() > fenceAt) {
                    fenceAt = 0;
                    fenceHangingTransactions(unread);
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("reading the checkpoints of partitions " + new TreeSet<>(partitions) + " of "
                            + topic + " did not reach " + ends + " within " + WAIT.toSeconds() + " s (at " + positions(
                            consumer, unread) + "): a transaction the broker has not aborted yet? Kafka aborts one "
                            + "left open after the producer's transaction timeout");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < ends.get(partition)) {
                        image.apply(record.key(), record.value());
                    }
                }
            }
        } catch (KafkaException e) {
            throw new IOException("cannot read the checkpoints of partitions " + new TreeSet<>(partitions) + " from "
                    + topic + " on Kafka at " + settings.kafka() + ": " + e, e);
        }
        log.debug("Read {} records of {} partitions of {} in {} ms", image.records(), partitions.size(), topic,
                (System.nanoTime() - started) / 1_000_000);
        return image;
    }

    private void fenceHangingTransactions(Set<TopicPartition> unread) {
        try {
            Set<String> fenced = hanging.fence(unread);
            if (!fenced.isEmpty()) {
                log.warn("Restoring {}: transactions of {} were still open after {} s (an engine that died in the middle "
                        + "of a checkpoint?); fenced them, so the broker aborts them now rather than after their timeout",
                        unread, fenced, FENCE_AFTER.toSeconds());
            }
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Restoring {}: cannot fence the transactions left open on them ({}); waiting for the broker to "
                    + "abort them after their timeout", unread, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Drops from {@code unread} (and pauses) the partitions read to their end; true once none is left. */
    private static boolean done(KafkaConsumer<byte[], byte[]> consumer, Set<TopicPartition> unread,
                                Map<TopicPartition, Long> ends) {
        Set<TopicPartition> read = new HashSet<>();
        for (TopicPartition partition : unread) {
            if (consumer.position(partition) >= ends.get(partition)) {
                read.add(partition);
            }
        }
        consumer.pause(read);
        unread.removeAll(read);
        return unread.isEmpty();
    }

    private static Map<TopicPartition, Long> positions(KafkaConsumer<byte[], byte[]> consumer,
                                                       Set<TopicPartition> partitions) {
        Map<TopicPartition, Long> positions = new HashMap<>();
        partitions.forEach(partition -> positions.put(partition, consumer.position(partition)));
        return positions;
    }

    private Map<TopicPartition, Long> highWatermarks(List<TopicPartition> partitions) throws IOException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(partition -> latest.put(partition, OffsetSpec.latest()));
        try {
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all()
                    .get(30, TimeUnit.SECONDS).forEach((partition, info) -> ends.put(partition, info.offset()));
            return ends;
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot ask Kafka at " + settings.kafka() + " where the checkpoints of " + topic
                    + " end: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking Kafka where the checkpoints end", e);
        }
    }

    private Properties properties() {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafka());
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "wallaby-restore@" + member);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // A restore reads a partition whole: large fetches, many records a poll.
        properties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        properties.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return properties;
    }
}
