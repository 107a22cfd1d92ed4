package io.wallaby.engine.cluster;

import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Describing a cluster's topics right after one engine created them. A topic just created, by this engine or
 * by another one a moment before, may not be in the metadata of the broker asked yet (it follows the
 * controller's): such an answer means "not yet", and the question is asked again until the topic is known.
 */
final class TopicDescriptions {

    private static final long KNOWN_WITHIN_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long ASK_AGAIN_MILLIS = 100;

    /** One description of the topic; its failures are the admin client's. */
    @FunctionalInterface
    interface Description<T> {
        T ask() throws ExecutionException, TimeoutException, InterruptedException;
    }

    private TopicDescriptions() {
    }

    /**
     * The answer of {@code description} once the broker knows {@code topic}.
     *
     * @throws ClusterMembership.ClusterException when Kafka does not answer, answers something else, or still
     *                                            does not know the topic after 30 s
     */
    static <T> T once(String topic, String kafka, Description<T> description)
            throws ClusterMembership.ClusterException, InterruptedException {
        long deadline = System.nanoTime() + KNOWN_WITHIN_NANOS;
        while (true) {
            try {
                return description.ask();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw new ClusterMembership.ClusterException("cannot describe the topic " + topic + " on Kafka at "
                            + kafka + ": " + e.getCause().getMessage(), e.getCause());
                }
                Thread.sleep(ASK_AGAIN_MILLIS); // the broker's metadata catches up: ask again
            } catch (TimeoutException e) {
                throw new ClusterMembership.ClusterException("cannot describe the topic " + topic + ": no answer from "
                        + "Kafka at " + kafka + " within 30 s; is it running (./launch.sh kafka) and is --kafka right?",
                        e);
            }
        }
    }
}
