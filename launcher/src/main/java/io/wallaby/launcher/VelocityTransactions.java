package io.wallaby.launcher;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Rows for velocity_alerts, the same for the same seed: accounts {@code 1..accounts} in turn at random, event
 * times ({@code created_at}) a fixed step apart from {@code start} in the order of the list, so inserted in
 * that order no row is ever late on any partition; amounts in cents between -2000.00 and 2000.00. With 40
 * accounts, a 25 ms step and windows of 10 s an account has about ten rows a window, five of them withdrawals
 * averaging -1000: about half the windows go below -5000.
 */
public final class VelocityTransactions {

    public static final int ACCOUNTS = 40;
    public static final Duration STEP = Duration.ofMillis(25);
    /** The demo's first event time: fixed, so every run of the demo shows the same alerts. */
    public static final Instant DEMO_START = Instant.parse("2026-12-01T18:00:00Z");

    private VelocityTransactions() {
    }

    /** {@code count} rows from {@code start}, {@link #STEP} apart. */
    public static List<TransactionInserter.AccountTransaction> generate(int count, Instant start, long seed) {
        if (count < 0) {
            throw new IllegalArgumentException("the number of transactions must not be negative, was " + count);
        }
        Random random = new Random(seed);
        List<TransactionInserter.AccountTransaction> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            rows.add(new TransactionInserter.AccountTransaction(1 + random.nextInt(ACCOUNTS),
                    start.plus(STEP.multipliedBy(i)), amount(random)));
        }
        return rows;
    }

    /** An amount in cents between -2000.00 and 2000.00, never 0 (0 is neither a deposit nor a withdrawal). */
    static BigDecimal amount(Random random) {
        int cents = random.nextInt(400_000) - 200_000;
        return BigDecimal.valueOf(cents >= 0 ? cents + 1 : cents, 2);
    }
}
