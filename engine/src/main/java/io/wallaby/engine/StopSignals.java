package io.wallaby.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * SIGTERM and Ctrl-C as a request to stop, so that the engine can drain before it exits, and with
 * the exit code it chooses. Signals are caught with {@code sun.misc.Signal} where the JVM offers it;
 * elsewhere a shutdown hook asks for the stop and holds the JVM until {@link #exit} is called.
 */
final class StopSignals {

    private static final Logger log = LoggerFactory.getLogger(StopSignals.class);

    private final CountDownLatch requested = new CountDownLatch(1);
    private final AtomicBoolean viaShutdownHook = new AtomicBoolean();
    private final CountDownLatch exited = new CountDownLatch(1);

    /** Starts listening for TERM and INT. */
    static StopSignals install() {
        StopSignals signals = new StopSignals();
        if (!signals.catchSignals("TERM", "INT")) {
            Runtime.getRuntime().addShutdownHook(new Thread(signals::holdShutdown, "wallaby-engine-shutdown"));
        }
        return signals;
    }

    private boolean catchSignals(String... names) {
        try {
            for (String name : names) {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    log.info("Wallaby engine stopping on SIG{}", signal.getName());
                    requested.countDown();
                });
            }
            return true;
        } catch (LinkageError | IllegalArgumentException | UnsupportedOperationException e) {
            log.debug("Cannot catch signals ({}); stopping from a shutdown hook instead", e.toString());
            return false;
        }
    }

    private void holdShutdown() {
        log.info("Wallaby engine stopping");
        viaShutdownHook.set(true);
        requested.countDown();
        try {
            exited.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Blocks until a stop is requested. */
    void await() throws InterruptedException {
        requested.await();
    }

    /** Ends the JVM with {@code code}, even when a shutdown hook is already running. */
    void exit(int code) {
        if (viaShutdownHook.get()) {
            // System.exit would wait for the hook, which waits for us; halt keeps the chosen code.
            Runtime.getRuntime().halt(code);
        }
        exited.countDown();
        System.exit(code);
    }
}
