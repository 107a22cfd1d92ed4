package io.wallaby.launcher;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent writers of rows for velocity_alerts, one per partition of the source, each writing only accounts
 * of its partition with its own event-time clock that moves {@link #STEP} ahead for every row. One session per
 * partition commits its rows in the order it wrote them, and both captures deliver a partition's rows in that
 * order (logical: commit order; table: the trigger's sequence), so created_at increases along each partition
 * stream and no row is ever late, however the writers of different partitions interleave. Like
 * {@link TransactionWriters}, they carry on through database restarts; a failed transaction is abandoned (its
 * clock still moved, which only leaves a gap in event time) and the table says what was committed.
 */
final class AccountWriters implements AutoCloseable {

    /** About ten rows per account and 10 s window with some 13 accounts on a partition of three. */
    static final Duration STEP = Duration.ofMillis(75);
    /** Between a writer's commits, PAUSE_MILLIS to twice that: some 150 rows a second per writer. */
    private static final int PAUSE_MILLIS = 70;

    private final String jdbcUrl;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong committedRows = new AtomicLong();
    private final AtomicLong failedTransactions = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final List<AtomicLong> clocks = new ArrayList<>();

    /**
     * @param partitions the source's {@code --partitions}: one writer each
     * @param accounts   the accounts are {@code 1..accounts}, each written by its partition's writer
     * @param start      every writer's first event time
     */
    AccountWriters(String jdbcUrl, int partitions, long accounts, Instant start, long seed) {
        this.jdbcUrl = jdbcUrl;
        for (int p = 0; p < partitions; p++) {
            List<Long> mine = WindowFlush.accountsOf(p, partitions, accounts);
            if (mine.isEmpty()) {
                throw new IllegalArgumentException("no account of 1.." + accounts + " is on partition " + p + " of "
                        + partitions + ": use more accounts");
            }
            Random random = new Random(seed * 31 + p);
            AtomicLong clock = new AtomicLong(start.toEpochMilli());
            clocks.add(clock);
            Thread thread = new Thread(() -> write(random, mine, clock), "account-writer-" + p);
            thread.setDaemon(true);
            threads.add(thread);
        }
    }

    void start() {
        threads.forEach(Thread::start);
    }

    private void write(Random random, List<Long> accounts, AtomicLong clock) {
        while (running.get()) {
            try (Connection connection = DriverManager.getConnection(jdbcUrl)) {
                connection.setAutoCommit(false);
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO transactions (account, created_at, amount) VALUES (?, ?, ?)")) {
                    while (running.get()) {
                        int rows = 1 + random.nextInt(random.nextInt(10) == 0 ? 200 : 20);
                        for (int i = 0; i < rows; i++) {
                            insert.setLong(1, accounts.get(random.nextInt(accounts.size())));
                            insert.setObject(2, OffsetDateTime.ofInstant(
                                    Instant.ofEpochMilli(clock.addAndGet(STEP.toMillis())), ZoneOffset.UTC));
                            insert.setBigDecimal(3, VelocityTransactions.amount(random));
                            insert.addBatch();
                        }
                        insert.executeBatch();
                        Thread.sleep(random.nextInt(5)); // hold the transaction open a little
                        connection.commit();
                        committedRows.addAndGet(rows);
                        // A pace the pipeline keeps up with on two cores, where each of the logical capture's
                        // slots decodes the whole WAL: at full speed the writers made 300,000 rows in a minute
                        // and the run spent minutes catching up instead of being hit by faults.
                        Thread.sleep(PAUSE_MILLIS + random.nextInt(PAUSE_MILLIS));
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

    /** The latest event time any writer gave a row (committed or not); only meaningful once closed. */
    Instant lastEventTime() {
        return Instant.ofEpochMilli(clocks.stream().mapToLong(AtomicLong::get).max().orElseThrow());
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
            if (thread.isAlive()) {
                throw new IllegalStateException(thread.getName() + " did not stop within 30 s");
            }
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
