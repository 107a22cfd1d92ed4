package io.wallaby.engine;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Waiting on a condition, not on time: for what a test cannot be told of (a consumer group settling, say). */
public final class Conditions {

    private Conditions() {
    }

    /** Checks {@code condition} every 20 ms until it holds; fails naming {@code what} after {@code patience}. */
    public static void await(BooleanSupplier condition, Duration patience, String what) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("gave up waiting for " + what + " after " + patience);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }
}
