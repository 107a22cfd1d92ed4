package io.wallaby.engine.cluster;

import io.wallaby.engine.state.Checkpoint;
import io.wallaby.engine.state.CheckpointStore;
import io.wallaby.engine.state.StateChanges;
import io.wallaby.engine.stream.OutputLog;
import io.wallaby.protocol.Points;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The {@link CheckpointStore} of a cluster (docs/CLUSTER.md, points 6 and 7): checkpoints are records of the
 * compacted topic {@code wallaby.NAME.checkpoints} ({@link CheckpointRecords}), which has as many partitions as
 * the control topic, a stream's records going to the partition of its stream ({@link ClusterMembership#partitionOf}),
 * so that the engine that takes over a control partition restores it by reading one checkpoint partition.
 *
 * <p>A write is one Kafka transaction holding the checkpoints of one or more streams (those the lanes took while
 * the previous write went on): per checkpoint, its state entries, its outputs, tombstones for the outputs a sink
 * has committed and, last, the stream's position record; then the offsets of their control partitions are
 * committed in the same transaction with the membership consumer's group metadata
 * ({@code sendOffsetsToTransaction}, KIP-447). The group coordinator refuses that commit, and the transaction
 * is aborted, when the member is gone from the group (it left on a poll timeout, or was fenced after the session
 * timeout: {@code UNKNOWN_MEMBER_ID}), or sends an epoch older than the one it was given the partition at, or no
 * longer holds the partition ({@code STALE_MEMBER_EPOCH}); the producer reports either as a
 * {@link CommitFailedException}. So a zombie's checkpoint never becomes visible to a {@code read_committed} restore,
 * and cannot overwrite the new owner's ({@code CheckpointFencingTest}).
 *
 * <p>Two holes of that check are closed here. Group metadata with epoch -1 and no member id (a consumer not yet
 * in the group, or that left it) is accepted by the coordinator without any check, so it is refused before the
 * transaction. And a member sending its <em>current</em> epoch may commit any partition, owned or not (Kafka
 * 4.4 checks the partitions only for an older epoch), so the store first reads the metadata, then checks that
 * the membership still owns the partition: if the partition was revoked after the metadata was read, the
 * epoch sent is older than the member's and the coordinator does check the partition.
 *
 * <p>Records are flushed (acknowledged by every in-sync replica) before the offsets are sent, so that once the
 * coordinator has accepted a checkpoint its records are below the partition's high watermark: a restore reads
 * up to the high watermark seen when it starts and waits for every transaction below it to end, so it either
 * sees the previous owner's last checkpoint or knows it was aborted (see {@link CheckpointReader}).
 *
 * <p>Threads: {@link #write} from one checkpoint thread at a time; {@link #restore(Restorer, Set)} from any one
 * thread, also while other partitions' streams are written, but never while a stream of a partition being
 * restored is.
 */
public final class KafkaCheckpointStore implements CheckpointStore {

    private static final Logger log = LoggerFactory.getLogger(KafkaCheckpointStore.class);

    /**
     * How long a transaction may stay open before the broker aborts it. A checkpoint's transaction lasts
     * milliseconds, but one left open by an engine killed in the middle of one holds back every restore of its
     * partition until the broker aborts it (after this, plus up to the broker's cleanup interval, 10 s by default),
     * so it is short, well under the 45 s session timeout after which such a partition moves at all.
     */
    static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(10);

    /** How long a producer call (send, commit, abort) may block on Kafka before the checkpoint fails. */
    private static final Duration MAX_BLOCK = Duration.ofSeconds(15);

    private final String bootstrap;
    private final String cluster;
    private final int partitions;
    private final String topic;
    private final String controlTopic;
    private final String transactionalId;
    private final PartitionOwnership ownership;
    private final Admin admin;
    private final CheckpointReader reader;
    /** Per stream, the output ids its checkpoints hold (as far as this engine knows), to tombstone once committed. */
    private final Map<Long, NavigableSet<Long>> heldOutputs = new ConcurrentHashMap<>();
    private final AtomicLong bytesWritten = new AtomicLong();
    /** Made and closed under this store's lock; used by the checkpoint thread (writes) only. */
    private KafkaProducer<byte[], byte[]> producer;

    private KafkaCheckpointStore(ClusterSettings settings, String member, PartitionOwnership ownership, Admin admin) {
        this.bootstrap = settings.kafka();
        this.cluster = settings.name();
        this.partitions = settings.partitions();
        this.topic = topicOf(settings.name());
        this.controlTopic = "wallaby." + settings.name() + ".control";
        this.transactionalId = "wallaby." + settings.name() + ".checkpoints@" + member;
        this.ownership = ownership;
        this.admin = admin;
        this.reader = new CheckpointReader(settings, topic, member, admin, transactionalId);
    }

    /** The checkpoint topic of cluster {@code name}. */
    public static String topicOf(String name) {
        return "wallaby." + name + ".checkpoints";
    }

    /**
     * Makes sure the checkpoint topic exists (compacted, with {@code settings.partitions()} partitions). The
     * transactional producer is made at the first restore or write, once the engine is in the group: an engine
     * that fails to start takes no transactional id from a running one.
     *
     * @param member    this engine among the cluster's, unique and the same across its restarts (its advertised
     *                  {@code host:port}): it names the transactional id, so that an engine restarted on the same
     *                  address aborts at once a transaction its predecessor left open
     * @param ownership the engine's group membership, asked before every write
     * @throws ClusterMembership.ClusterException when Kafka cannot be reached or the topic disagrees with the settings
     */
    public static KafkaCheckpointStore open(ClusterSettings settings, String member, PartitionOwnership ownership)
            throws ClusterMembership.ClusterException, InterruptedException {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafka());
        properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "wallaby-checkpoints-admin@" + member);
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        Admin admin = Admin.create(properties);
        KafkaCheckpointStore store = new KafkaCheckpointStore(settings, member, ownership, admin);
        try {
            CheckpointTopic.ensure(admin, settings, store.topic);
            return store;
        } catch (ClusterMembership.ClusterException | InterruptedException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** Feeds the last checkpoint of every stream of every partition. */
    @Override
    public void restore(Restorer restorer) throws IOException {
        restore(restorer, IntStream.range(0, partitions).boxed().collect(Collectors.toSet()));
    }

    /**
     * Feeds the last committed checkpoint of every stream of the given partitions of the control topic to
     * {@code restorer}, stream by stream: its position, its state entries, its outputs in id order. Streams of
     * other partitions are not read. Waits for transactions left open on those partitions to end (at most
     * {@link #TRANSACTION_TIMEOUT} plus the broker's cleanup interval after the writer died).
     */
    public void restore(Restorer restorer, Set<Integer> restored) throws IOException {
        for (int partition : restored) {
            if (partition < 0 || partition >= partitions) {
                throw new IllegalArgumentException("partition " + partition + " of a cluster of " + partitions);
            }
        }
        // First: it aborts a transaction that this engine's predecessor (same transactional id) left open.
        producer();
        CheckpointImage image = reader.read(restored);
        Map<Long, NavigableSet<Long>> outputs = image.feed(restorer);
        heldOutputs.keySet().removeIf(streamId -> restored.contains(ClusterMembership.partitionOf(streamId, partitions)));
        heldOutputs.putAll(outputs);
    }

    /**
     * Writes the checkpoints in one transaction: their records, then the offsets of their control partitions with
     * the group metadata. Refused whole when this engine is not in the group or no longer serves one of their
     * partitions.
     */
    @Override
    public long write(List<Checkpoint> checkpoints) throws IOException {
        // The metadata first, the ownership second: see the class comment.
        ConsumerGroupMetadata group = ownership.groupMetadata();
        String what = describe(checkpoints);
        if (group == null || group.generationId() <= 0 || group.memberId().isEmpty()) {
            throw new IOException("this engine is not a member of cluster " + cluster + "'s group right now ("
                    + (group == null ? "not joined yet" : "member epoch " + group.generationId()) + "), so the "
                    + what + " cannot be fenced and is not written");
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Checkpoint checkpoint : checkpoints) {
            int partition = ClusterMembership.partitionOf(checkpoint.streamId(), partitions);
            if (!ownership.owns(partition)) {
                throw new IOException("partition " + partition + " of cluster " + cluster + " (stream "
                        + checkpoint.streamName() + ") is not served here any more: the " + what + " is not written");
            }
            offsets.put(new TopicPartition(controlTopic, partition), new OffsetAndMetadata(0));
        }
        KafkaProducer<byte[], byte[]> producer = producer();
        Sends sends = new Sends(producer);
        List<Outputs> outputs = new ArrayList<>(checkpoints.size());
        try {
            producer.beginTransaction();
            for (Checkpoint checkpoint : checkpoints) {
                outputs.add(send(checkpoint, sends));
            }
            producer.flush();
            sends.check();
            producer.sendOffsetsToTransaction(offsets, group);
            producer.commitTransaction();
        } catch (RuntimeException e) {
            abandon();
            throw new IOException(explain(e, offsets, what), e);
        }
        outputs.forEach(Outputs::written);
        bytesWritten.addAndGet(sends.bytes);
        return sends.bytes;
    }

    /** The outputs a checkpoint's records add to and remove from what its stream's checkpoints hold. */
    private record Outputs(NavigableSet<Long> held, List<Long> added, List<Long> tombstoned) {
        void written() {
            held.removeAll(tombstoned);
            held.addAll(added);
        }
    }

    /** Sends one checkpoint's records, the position record last, to its stream's partition. */
    private Outputs send(Checkpoint checkpoint, Sends sends) {
        long streamId = checkpoint.streamId();
        int partition = ClusterMembership.partitionOf(streamId, partitions);
        NavigableSet<Long> held = heldOutputs.computeIfAbsent(streamId, id -> new TreeSet<>(Long::compareUnsigned));
        long committed = checkpoint.sinkCommittedThrough();
        List<Long> tombstones = committed == Points.NONE ? List.of() : List.copyOf(held.headSet(committed, true));
        List<Long> written = new ArrayList<>(checkpoint.outputs().size());
        for (int step = 0; step < checkpoint.steps().size(); step++) {
            StateChanges changes = checkpoint.steps().get(step);
            if (changes != null) {
                int index = step;
                changes.writeTo((key, value) -> sends.send(partition, CheckpointRecords.stateKey(streamId, index, key),
                        value));
            }
        }
        for (OutputLog.Output output : checkpoint.outputs()) {
            if (Points.isAfter(output.id(), committed)) {
                sends.send(partition, CheckpointRecords.outputKey(streamId, output.id()),
                        CheckpointRecords.outputValue(output));
                written.add(output.id());
            }
        }
        for (long id : tombstones) {
            sends.send(partition, CheckpointRecords.outputKey(streamId, id), null);
        }
        sends.send(partition, CheckpointRecords.positionKey(streamId),
                CheckpointRecords.positionValue(checkpoint.position(), checkpoint.streamName()));
        return new Outputs(held, written, tombstones);
    }

    private static String describe(List<Checkpoint> checkpoints) {
        Checkpoint first = checkpoints.get(0);
        String one = "checkpoint of stream " + first.streamName() + " at " + Points.show(first.position());
        return checkpoints.size() == 1 ? one : one + " and those of " + (checkpoints.size() - 1) + " other stream(s)";
    }

    private String explain(RuntimeException e, Map<TopicPartition, OffsetAndMetadata> offsets, String what) {
        if (e instanceof CommitFailedException) {
            return "Kafka's group coordinator refused the " + what + ": this engine's member no longer holds "
                    + (offsets.size() == 1 ? "partition " : "one of the partitions ")
                    + new TreeSet<>(offsets.keySet().stream().map(TopicPartition::partition).toList()) + " of cluster "
                    + cluster + " (it was fenced, left the group, or a partition moved: " + e.getMessage()
                    + "). The transaction was aborted; nothing of it is visible";
        }
        if (e instanceof ProducerFencedException) {
            return "another producer took the transactional id " + transactionalId + " (a second engine with this one's "
                    + "address, or one restoring a partition this engine held?), so the " + what + " was not written: "
                    + e.getMessage();
        }
        return "cannot write the " + what + " to " + topic + " on Kafka at " + bootstrap + ": " + e;
    }

    /** Aborts the transaction; a producer that cannot abort (a fatal error) is closed and made anew next time. */
    private void abandon() {
        try {
            producer.abortTransaction();
        } catch (RuntimeException e) {
            log.warn("Checkpoints of cluster {}: the producer cannot abort ({}); a new one takes over", cluster,
                    e.toString());
            closeProducer();
        }
    }

    private synchronized KafkaProducer<byte[], byte[]> producer() throws IOException {
        if (producer == null) {
            Properties properties = new Properties();
            properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            properties.put(ProducerConfig.CLIENT_ID_CONFIG, "wallaby-checkpoints@" + transactionalId);
            properties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
            properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            properties.put(ProducerConfig.ACKS_CONFIG, "all");
            properties.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) TRANSACTION_TIMEOUT.toMillis());
            properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK.toMillis());
            // A checkpoint is flushed at once, so lingering gains nothing; big ones fill large batches.
            properties.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            properties.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
            properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
            properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            KafkaProducer<byte[], byte[]> created = new KafkaProducer<>(properties);
            try {
                // Fences an older producer of this transactional id and aborts what it left open.
                created.initTransactions();
            } catch (KafkaException e) {
                created.close(Duration.ZERO);
                throw new IOException("cannot start transactions as " + transactionalId + " on Kafka at " + bootstrap
                        + ": " + e, e);
            }
            producer = created;
        }
        return producer;
    }

    /** Bytes of keys and values this store has committed since it was opened. */
    public long bytesWritten() {
        return bytesWritten.get();
    }

    /**
     * -1: the checkpoints are on the Kafka brokers, not on this machine's disk, and asking the brokers the size of
     * the topic ({@code describeLogDirs}) would put a network call behind {@code /status}. {@link #bytesWritten()}
     * is what this engine added.
     */
    @Override
    public long sizeOnDisk() {
        return -1;
    }

    @Override
    public void close() {
        closeProducer();
        admin.close(Duration.ofSeconds(2));
    }

    private synchronized void closeProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.warn("Closing the checkpoint producer of cluster {}: {}", cluster, e.toString());
            }
            producer = null;
        }
    }

    @Override
    public String toString() {
        return "Kafka topic " + topic + " at " + bootstrap;
    }

    /** The records of one transaction; remembers the first failure and counts bytes. */
    private final class Sends {
        private final KafkaProducer<byte[], byte[]> producer;
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private long bytes;

        Sends(KafkaProducer<byte[], byte[]> producer) {
            this.producer = producer;
        }

        void send(int partition, byte[] key, byte[] value) {
            bytes += key.length + (value == null ? 0 : value.length);
            producer.send(new ProducerRecord<>(topic, partition, key, value), (metadata, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
            });
        }

        /** Throws the first send that failed; after {@code flush}, every send has completed. */
        void check() {
            Exception e = failure.get();
            if (e != null) {
                throw e instanceof KafkaException k ? k : new KafkaException(e);
            }
        }
    }
}
