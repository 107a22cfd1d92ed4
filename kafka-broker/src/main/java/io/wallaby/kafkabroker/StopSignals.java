package io.wallaby.kafkabroker;

import java.util.concurrent.CountDownLatch;

/**
 * SIGTERM and Ctrl-C (SIGINT) as a request to stop, caught with {@code sun.misc.Signal} so that the broker shuts down
 * in order and the process exits 0 (a JVM ended by the signal itself exits 143 or 130). Where the JVM cannot catch
 * signals, a shutdown hook asks for the stop instead and holds the JVM until the broker is down.
 */
final class StopSignals {

    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile String reason = "";
    private volatile boolean viaShutdownHook;

    static StopSignals install() {
        StopSignals signals = new StopSignals();
        if (!signals.catchSignals("TERM", "INT")) {
            Runtime.getRuntime().addShutdownHook(new Thread(signals::holdShutdown, "kafka-broker-shutdown"));
        }
        return signals;
    }

    private boolean catchSignals(String... names) {
        try {
            for (String name : names) {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> request("SIG" + signal.getName()));
            }
            return true;
        } catch (LinkageError | IllegalArgumentException | UnsupportedOperationException e) {
            return false;
        }
    }

    private void holdShutdown() {
        viaShutdownHook = true;
        request("shutdown");
        try {
            finished.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Asks for a stop (a signal, or the broker ending by itself). */
    void request(String why) {
        if (requested.getCount() > 0) {
            reason = why;
        }
        requested.countDown();
    }

    boolean isRequested() {
        return requested.getCount() == 0;
    }

    /** Blocks until a stop is requested; returns what asked for it. */
    String await() throws InterruptedException {
        requested.await();
        return reason;
    }

    /** Ends the JVM with {@code code}, also when a shutdown hook is already running. */
    void exit(int code) {
        finished.countDown();
        if (viaShutdownHook) {
            Runtime.getRuntime().halt(code);
        }
        System.exit(code);
    }
}
