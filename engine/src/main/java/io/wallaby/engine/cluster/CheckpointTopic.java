package io.wallaby.engine.cluster;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The checkpoint topic {@code wallaby.NAME.checkpoints}: created by the first engine of a cluster that needs it,
 * checked by every other, since a topic with another partition count would put a stream's checkpoints where its
 * new owner does not read, and one that is not compacted would grow for ever and be read whole at every restore.
 */
final class CheckpointTopic {

    private static final Logger log = LoggerFactory.getLogger(CheckpointTopic.class);

    /**
     * Segments of 64 MiB rather than Kafka's 1 GiB: the active segment is never compacted, and a restore reads
     * everything not yet compacted, so smaller segments bound what a restore reads beyond the latest records.
     */
    static final int SEGMENT_BYTES = 64 * 1024 * 1024;

    private CheckpointTopic() {
    }

    /** Creates {@code topic} if missing, compacted with the cluster's partitions; checks it otherwise. */
    static void ensure(Admin admin, ClusterSettings settings, String topic)
            throws ClusterMembership.ClusterException, InterruptedException {
        try {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(settings.partitions()), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                            TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(SEGMENT_BYTES)))))
                    .all().get(30, TimeUnit.SECONDS);
            log.info("Created the checkpoint topic {} with {} partitions (compacted)", topic, settings.partitions());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new ClusterMembership.ClusterException("cannot create the checkpoint topic " + topic + " on Kafka at "
                        + settings.kafka() + ": " + e.getCause().getMessage(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new ClusterMembership.ClusterException("no answer from Kafka at " + settings.kafka() + " within 30 s: "
                    + "is it running (./launch.sh kafka) and is --kafka right?", e);
        }
        int found = TopicDescriptions.once(topic, settings.kafka(), () -> admin.describeTopics(List.of(topic))
                .allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().size());
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        ConfigEntry entry = TopicDescriptions.once(topic, settings.kafka(), () -> admin.describeConfigs(List.of(resource))
                .all().get(30, TimeUnit.SECONDS).get(resource).get(TopicConfig.CLEANUP_POLICY_CONFIG));
        String policy = entry == null ? "" : entry.value();
        if (found != settings.partitions()) {
            throw new ClusterMembership.ClusterException("the checkpoint topic " + topic + " has " + found + " partitions, "
                    + "the cluster " + settings.partitions() + ": a stream's checkpoints would not be where its owner "
                    + "reads them. Delete the topic (its checkpoints are lost) or use a new cluster name", null);
        }
        if (!List.of(policy.split(",")).contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            throw new ClusterMembership.ClusterException("the checkpoint topic " + topic + " has cleanup.policy="
                    + policy + ": it must be compacted (kafka-configs.sh --alter --entity-type topics --entity-name "
                    + topic + " --add-config cleanup.policy=compact), or every restore reads every checkpoint ever "
                    + "written, and a delete policy would lose state", null);
        }
    }
}
