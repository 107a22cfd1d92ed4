package io.wallaby.launcher;

import io.wallaby.connector.StreamPartitions;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The demo's postgres source on {@code transactions}: the flags that make it one stream or split the table by
 * account over several ({@code transactions.0 ..}), and the names of those streams. One stream is the first demo
 * as it always was (the source creates the table); several need the account in the table's replica identity
 * ({@link DemoDatabase#createTransactionsTable()}).
 */
final class DemoStreams {

    static final String TABLE = "transactions";

    private DemoStreams() {
    }

    /** The source's flags for {@code streams} streams, besides {@code --connection}. */
    static List<String> sourceArgs(int streams) {
        if (streams == 1) {
            return List.of("--create-table");
        }
        // --snapshot never: rows already in the table (another run's, say) are not this run's to check.
        return List.of("--partitions", Integer.toString(streams), "--partition-by", "account", "--snapshot", "never");
    }

    /** Every stream's name: {@code transactions}, or {@code transactions.0 .. transactions.N-1}. */
    static List<String> names(int streams) {
        if (streams == 1) {
            return List.of(TABLE);
        }
        List<String> names = new ArrayList<>();
        for (int p = 0; p < streams; p++) {
            names.add(StreamPartitions.streamName(TABLE, p));
        }
        return names;
    }

    /** The streams of {@code streams} that carry some of {@code rows}, as the source routes them by account. */
    static List<String> carrying(List<TransactionInserter.AccountTransaction> rows, int streams) {
        if (streams == 1) {
            return rows.isEmpty() ? List.of() : List.of(TABLE);
        }
        TreeSet<Integer> partitions = new TreeSet<>();
        for (TransactionInserter.AccountTransaction row : rows) {
            partitions.add(StreamPartitions.of(Long.toString(row.account()), streams));
        }
        return partitions.stream().map(p -> StreamPartitions.streamName(TABLE, p)).toList();
    }
}
