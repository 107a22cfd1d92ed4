package io.wallaby.bench;

import io.wallaby.source.generator.AlertsStatelessGenerator;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The transaction load every scenario uses: ids and amounts, inserted by a few concurrent writers with
 * multi-row INSERTs of {@value #ROWS_PER_COMMIT} rows a commit, as an application writing in batches would.
 */
final class TransactionLoad {

    static final int ROWS_PER_COMMIT = 100;
    static final int WRITERS = 4;

    final long firstId;
    final long[] amounts;

    private TransactionLoad(long firstId, long[] amounts) {
        this.firstId = firstId;
        this.amounts = amounts;
    }

    /** The alerts_stateless generator's transactions: about one in ten raises an alert. */
    static TransactionLoad generated(long firstId, int count) {
        AlertsStatelessGenerator generator = AlertsStatelessGenerator.startingAt(firstId);
        long[] amounts = new long[count];
        for (int i = 0; i < count; i++) {
            amounts[i] = generator.next().amount();
        }
        return new TransactionLoad(firstId, amounts);
    }

    /** Amounts above 1000 only, so every transaction raises exactly one alert (for counting and latency). */
    static TransactionLoad allAlerting(long firstId, int count) {
        long[] amounts = new long[count];
        for (int i = 0; i < count; i++) {
            amounts[i] = 1001 + (firstId + i) % 249;
        }
        return new TransactionLoad(firstId, amounts);
    }

    int size() {
        return amounts.length;
    }

    long id(int index) {
        return firstId + index;
    }

    /** How many alerts alert_stateless raises for this load (amount above 1000 or below -1000). */
    long expectedAlerts() {
        long n = 0;
        for (long a : amounts) {
            if (a > 1000 || a < -1000) {
                n++;
            }
        }
        return n;
    }

    /** {"id":n,"amount":a}, UTF-8, as the postgres source sends them: encoded before the clock starts. */
    byte[][] jsonPayloads() {
        byte[][] payloads = new byte[amounts.length][];
        for (int i = 0; i < amounts.length; i++) {
            payloads[i] = new AlertsStatelessGenerator.Transaction(id(i), amounts[i]).toJson()
                    .getBytes(StandardCharsets.UTF_8);
        }
        return payloads;
    }

    /** The alert text alert_stateless writes for row {@code index}. */
    String alertText(int index) {
        long a = amounts[index];
        return (a > 0 ? "Deposit Alert for " : "Withdrawal Alert for ") + id(index) + ": " + a;
    }

    /**
     * Inserts every row into {@code transactions} with {@link #WRITERS} connections, each taking the next
     * chunk of {@link #ROWS_PER_COMMIT} rows; returns the elapsed nanoseconds from the first insert to the
     * last commit.
     */
    long insertAll(String jdbcUrl) throws Exception {
        List<Connection> connections = new ArrayList<>();
        try {
            for (int w = 0; w < WRITERS; w++) {
                Connection c = DriverManager.getConnection(jdbcUrl);
                c.setAutoCommit(false);
                connections.add(c);
            }
            AtomicInteger nextChunk = new AtomicInteger();
            AtomicReference<Exception> failure = new AtomicReference<>();
            int chunks = (size() + ROWS_PER_COMMIT - 1) / ROWS_PER_COMMIT;
            List<Thread> threads = new ArrayList<>();
            long start = System.nanoTime();
            for (Connection c : connections) {
                Thread t = new Thread(() -> {
                    try {
                        for (int chunk; (chunk = nextChunk.getAndIncrement()) < chunks && failure.get() == null; ) {
                            insertChunk(c, chunk * ROWS_PER_COMMIT,
                                    Math.min(size(), (chunk + 1) * ROWS_PER_COMMIT));
                        }
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                    }
                }, "bench-writer");
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            if (failure.get() != null) {
                throw failure.get();
            }
            return System.nanoTime() - start;
        } finally {
            for (Connection c : connections) {
                c.close();
            }
        }
    }

    /** Rows [from, to) in one multi-row INSERT and one commit. */
    void insertChunk(Connection c, int from, int to) throws SQLException {
        StringBuilder sql = new StringBuilder("INSERT INTO transactions (id, amount) VALUES ");
        for (int i = from; i < to; i++) {
            sql.append(i == from ? "(?, ?)" : ", (?, ?)");
        }
        // Prepared each time: pgjdbc caches it server-side after a few uses, as an application's pool would.
        try (PreparedStatement insert = c.prepareStatement(sql.toString())) {
            int p = 1;
            for (int i = from; i < to; i++) {
                insert.setLong(p++, id(i));
                insert.setLong(p++, amounts[i]);
            }
            insert.executeUpdate();
        }
        c.commit();
    }
}
