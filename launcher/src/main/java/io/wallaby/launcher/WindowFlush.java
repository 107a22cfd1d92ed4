package io.wallaby.launcher;

import io.wallaby.connector.StreamPartitions;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows that close every window of a partitioned velocity_alerts run: a window closes only when its
 * stream's newest event time, less the lateness, passes its end, and each partition stream has its own, so
 * each needs a row of its own far enough ahead. Such a row is a deposit (it adds no withdrawal) for an account
 * of that partition, which {@link StreamPartitions} decides as the source does.
 */
public final class WindowFlush {

    /** The flush row's amount: a deposit, so that its own window (which never closes) could not alert anyway. */
    private static final BigDecimal DEPOSIT = BigDecimal.ONE;

    private WindowFlush() {
    }

    /** One row per partition, created at {@code at}, for the lowest account (from 1) on that partition. */
    public static List<TransactionInserter.AccountTransaction> rows(int partitions, Instant at) {
        List<TransactionInserter.AccountTransaction> rows = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            rows.add(new TransactionInserter.AccountTransaction(firstAccount(p, partitions), at, DEPOSIT));
        }
        return rows;
    }

    /** The accounts among {@code 1..accounts} whose rows travel on partition {@code partition} of {@code partitions}. */
    public static List<Long> accountsOf(int partition, int partitions, long accounts) {
        checkPartition(partition, partitions);
        List<Long> of = new ArrayList<>();
        for (long account = 1; account <= accounts; account++) {
            if (StreamPartitions.of(Long.toString(account), partitions) == partition) {
                of.add(account);
            }
        }
        return of;
    }

    /** The lowest account from 1 on partition {@code partition}; every partition has some, the hash being uniform. */
    static long firstAccount(int partition, int partitions) {
        checkPartition(partition, partitions);
        for (long account = 1; ; account++) {
            if (StreamPartitions.of(Long.toString(account), partitions) == partition) {
                return account;
            }
        }
    }

    private static void checkPartition(int partition, int partitions) {
        if (partitions < 1 || partition < 0 || partition >= partitions) {
            throw new IllegalArgumentException("partition " + partition + " of " + partitions
                    + ": needs 0 <= partition < partitions");
        }
    }
}
