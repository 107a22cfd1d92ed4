package io.wallaby.connector;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/** Runs a connector's command on a thread of its own, as its executable would run it, for tests that play the engine. */
public final class CommandThreads {

    private CommandThreads() {
    }

    /** Starts {@code command}; the future completes with its exit code, or with what it threw. */
    public static CompletableFuture<Integer> start(Callable<Integer> command) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return command.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
