package io.wallaby.engine.cluster;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.common.TopicPartition;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Transactions another engine left open on checkpoint partitions, and their end. An engine killed in the middle of
 * a checkpoint leaves its transaction open, and a restore of that partition cannot finish before it ends: the broker
 * aborts it only after the transaction timeout plus its cleanup interval (10 s each by default). Fencing the writer's
 * transactional id ({@code Admin.fenceProducers}, KIP-618) makes the transaction coordinator abort it at once.
 *
 * <p>Safe, because a transaction open on a partition that this engine is restoring belongs to an engine that no
 * longer holds the partition: the group coordinator would refuse its checkpoint anyway (docs/CLUSTER.md, point 7).
 * Fencing a live engine's producer costs it that one checkpoint, which its next one carries again.
 */
final class HangingTransactions {

    private static final long ANSWER_WITHIN_SECONDS = 10;

    private final Admin admin;
    private final String ownTransactionalId;

    HangingTransactions(Admin admin, String ownTransactionalId) {
        this.admin = admin;
        this.ownTransactionalId = ownTransactionalId;
    }

    /**
     * Fences the writers of the transactions open on {@code partitions}, other than this engine's own.
     *
     * @return their transactional ids, sorted; empty when none was open
     */
    Set<String> fence(Collection<TopicPartition> partitions)
            throws ExecutionException, TimeoutException, InterruptedException {
        Set<Long> producers = new HashSet<>();
        admin.describeProducers(partitions).all().get(ANSWER_WITHIN_SECONDS, TimeUnit.SECONDS).values()
                .forEach(state -> state.activeProducers().stream()
                        .filter(producer -> producer.currentTransactionStartOffset().isPresent())
                        .forEach(producer -> producers.add(producer.producerId())));
        if (producers.isEmpty()) {
            return Set.of();
        }
        Set<String> writers = new TreeSet<>();
        for (TransactionListing listing : admin.listTransactions(new ListTransactionsOptions()
                .filterProducerIds(producers)).all().get(ANSWER_WITHIN_SECONDS, TimeUnit.SECONDS)) {
            if (!listing.transactionalId().equals(ownTransactionalId)) {
                writers.add(listing.transactionalId());
            }
        }
        if (!writers.isEmpty()) {
            admin.fenceProducers(writers).all().get(ANSWER_WITHIN_SECONDS, TimeUnit.SECONDS);
        }
        return writers;
    }
}
