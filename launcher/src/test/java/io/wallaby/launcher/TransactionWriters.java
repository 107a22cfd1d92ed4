package io.wallaby.launcher;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent writers inserting into {@code transactions} in database transactions of varied size, so
 * that commit order differs from id order. They carry on through database restarts (a failed
 * transaction is simply abandoned: the table itself says what was committed).
 */
final class TransactionWriters implements AutoCloseable {

    private final String jdbcUrl;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong committedRows = new AtomicLong();
    private final AtomicLong failedTransactions = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();

    TransactionWriters(String jdbcUrl, int writers, long seed) {
        this.jdbcUrl = jdbcUrl;
        for (int w = 0; w < writers; w++) {
            Random random = new Random(seed * 31 + w);
            Thread thread = new Thread(() -> write(random), "writer-" + w);
            thread.setDaemon(true);
            threads.add(thread);
        }
    }

    void start() {
        threads.forEach(Thread::start);
    }

    private void write(Random random) {
        while (running.get()) {
            try (Connection connection = DriverManager.getConnection(jdbcUrl)) {
                connection.setAutoCommit(false);
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO transactions (amount) VALUES (?)")) {
                    while (running.get()) {
                        int rows = 1 + random.nextInt(random.nextInt(10) == 0 ? 200 : 20);
                        for (int i = 0; i < rows; i++) {
                            // Cents between -2500.00 and 2500.00: about 60% of rows raise an alert.
                            insert.setBigDecimal(1, BigDecimal.valueOf(random.nextInt(500_001) - 250_000, 2));
                            insert.addBatch();
                        }
                        insert.executeBatch();
                        Thread.sleep(random.nextInt(5)); // hold the transaction open a little
                        connection.commit();
                        committedRows.addAndGet(rows);
                        Thread.sleep(random.nextInt(10));
                    }
                }
            } catch (SQLException e) {
                failedTransactions.incrementAndGet();
                sleepQuietly(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    long committedRows() {
        return committedRows.get();
    }

    long failedTransactions() {
        return failedTransactions.get();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(30_000);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
