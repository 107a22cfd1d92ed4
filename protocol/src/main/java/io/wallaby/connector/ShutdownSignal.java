package io.wallaby.connector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns SIGTERM and SIGINT into a polite stop request, so that a connector can finish its batch, wait for
 * the last acknowledgements, send EOS and return normally: the process then exits with the command's own
 * code (0), not 143. The JVM's default handler would start the shutdown hooks at once, racing the
 * connector's thread and exiting 143.
 *
 * <p>If the connector has not returned {@code grace} after the first signal (stuck on an unreachable
 * peer), or a second signal arrives, the process halts with {@link ConnectorCommandLine#RUNTIME_FAILURE}:
 * a stop request must never hang forever.
 */
public final class ShutdownSignal {

    private static final Logger log = LoggerFactory.getLogger(ShutdownSignal.class);

    private static volatile boolean enabled;

    private ShutdownSignal() {
    }

    /**
     * Says that this JVM is a connector's own process: its {@code main} calls this first, and its commands
     * then handle the stop signals ({@link #enabled()}). A command run inside another program, such as a test,
     * leaves that program's signals alone.
     */
    public static void enable() {
        enabled = true;
    }

    /** True in a connector's own process (its {@code main} called {@link #enable()}). */
    public static boolean enabled() {
        return enabled;
    }

    /**
     * Calls {@code stop} (on a signal-handling thread; it must only set a flag) on the first SIGTERM or
     * SIGINT. Falls back to a shutdown hook where the JVM does not offer signal handlers.
     */
    public static void onTerminate(Runnable stop, Duration grace) {
        AtomicBoolean requested = new AtomicBoolean();
        Runnable handler = () -> {
            if (!requested.compareAndSet(false, true)) {
                log.warn("second stop signal: halting now");
                Runtime.getRuntime().halt(ConnectorCommandLine.RUNTIME_FAILURE);
            }
            log.info("stop requested: finishing the work in hand (at most {})", grace);
            stop.run();
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(grace.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                log.error("did not stop within {}; halting", grace);
                Runtime.getRuntime().halt(ConnectorCommandLine.RUNTIME_FAILURE);
            }, "wallaby-stop-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        };
        try {
            for (String name : new String[] {"TERM", "INT"}) {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> handler.run());
            }
        } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
            log.debug("no signal handlers here ({}); stopping from a shutdown hook", e.toString());
            Runtime.getRuntime().addShutdownHook(new Thread(stop, "wallaby-stop"));
        }
    }
}
