package io.wallaby.source.generator;

/**
 * The transactions of the alerts_stateless example: ids 0, 1, 2, ...; the amount starts at 1 and each
 * next amount is {@code ((a * 2305843009213693951 + 7) mod 2500) - 1250}, with a non-negative modulo as in
 * Python. So (0, 1), (1, 208), (2, 565), (3, 1072), ...
 */
public final class AlertsStatelessGenerator {

    /** One generated transaction. */
    public record Transaction(long id, long amount) {
        /** {@code {"id":<id>,"amount":<amount>}} */
        public String toJson() {
            return "{\"id\":" + id + ",\"amount\":" + amount + "}";
        }
    }

    // (a * M + 7) mod 2500 only depends on M mod 2500 (= 1451) and a mod 2500: exact, without BigInteger,
    // because |a| <= 1250 keeps a * 1451 far inside a long.
    private static final long MULTIPLIER_MOD_2500 = 2305843009213693951L % 2500;

    private long nextId;
    private long nextAmount = 1;

    /** A generator whose first transaction has id 0. */
    public AlertsStatelessGenerator() {
    }

    /** A generator positioned so that its first transaction has id {@code firstId}. */
    public static AlertsStatelessGenerator startingAt(long firstId) {
        if (firstId < 0) {
            throw new IllegalArgumentException("the first id must not be negative, was " + firstId);
        }
        AlertsStatelessGenerator generator = new AlertsStatelessGenerator();
        while (generator.nextId < firstId) {
            generator.next();
        }
        return generator;
    }

    /** The id the next transaction will have. */
    public long nextId() {
        return nextId;
    }

    public Transaction next() {
        Transaction transaction = new Transaction(nextId, nextAmount);
        nextId++;
        nextAmount = Math.floorMod(nextAmount * MULTIPLIER_MOD_2500 + 7, 2500L) - 1250;
        return transaction;
    }
}
