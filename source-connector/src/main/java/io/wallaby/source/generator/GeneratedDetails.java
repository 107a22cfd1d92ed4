package io.wallaby.source.generator;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The account and creation time the generator gives a transaction with {@code --accounts}: both a pure
 * function of the transaction id, so a replay after a restart regenerates byte-identical payloads, and
 * keyed state (per account) and windows (by created_at) have something to work on.
 *
 * <ul>
 *   <li>account: {@code 1 + (mix(id) mod accounts)}, where mix is SplitMix64's finaliser over the id plus a
 *       fixed seed: neighbouring ids land on unrelated accounts, as real traffic does.</li>
 *   <li>created_at: {@code start + id * step}, printed in UTC with milliseconds
 *       ({@code 2026-01-01T00:00:00.001Z}).</li>
 * </ul>
 *
 * @param accounts how many accounts there are, at least 1
 * @param start    the creation time of transaction 0
 * @param step     how much later each next transaction is created, not negative
 */
public record GeneratedDetails(long accounts, Instant start, Duration step) {

    private static final long SEED = 0x5DEECE66DL;
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    public GeneratedDetails {
        if (accounts < 1) {
            throw new IllegalArgumentException("there must be at least one account, was " + accounts);
        }
        if (step.isNegative()) {
            throw new IllegalArgumentException("the time step must not be negative, was " + step);
        }
    }

    /** The account of transaction {@code id}, in 1..accounts. */
    public long account(long id) {
        long z = id + SEED + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return 1 + Long.remainderUnsigned(z, accounts);
    }

    /** When transaction {@code id} was created, as ISO-8601 in UTC with milliseconds. */
    public String createdAt(long id) {
        return ISO_MILLIS.format(start.plus(step.multipliedBy(id)));
    }

    /** {@code {"id":<id>,"amount":<amount>,"account":<a>,"created_at":"<time>"}} */
    public String toJson(AlertsStatelessGenerator.Transaction t) {
        return "{\"id\":" + t.id() + ",\"amount\":" + t.amount() + ",\"account\":" + account(t.id())
                + ",\"created_at\":\"" + createdAt(t.id()) + "\"}";
    }
}
