package io.wallaby.connector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The silence watch of a {@link SourceSession} (see {@link SourceConnector}, "A silent engine"): gives up a
 * connection whose engine stays silent while the connection waits on it. A thread of its own looks at each live
 * connection every tick ({@link SourceConnection#watch}, which says when a connection counts as waiting and
 * whether its quiet spell calls for a probe or a give-up); a probe, at half the timeout, dials the engine on a
 * prober thread; a give-up ends the connection and has its streams reopened where they are served now.
 * Each look, and each probe's outcome, is taken with the connector's lock held; a probe's dial and the closing
 * of a given-up connection's socket are made without it.
 */
final class SilenceWatch {

    private static final Logger log = LoggerFactory.getLogger(SourceConnector.class);

    private final ReentrantLock lock;
    private final EngineRoutes routes;
    private final SourceSession session;
    private final BackgroundReopener reopener;
    /** How long a connection that waits on its engine may hear nothing before it is given up; 0: never. */
    private final long silenceNanos;
    /** Runs the probes of silent engines, each a blocking dial, so that no engine's probe waits for another's. */
    private final ExecutorService prober = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "wallaby-source-probe");
        t.setDaemon(true);
        return t;
    });
    /** The silence watch's thread, started with the first connection; null before, and when the timeout is 0. */
    private volatile Thread watch;

    /** @param silenceTimeout see {@link ConnectorSettings#engineSilenceTimeout()}; zero: never give a connection up */
    SilenceWatch(ReentrantLock lock, EngineRoutes routes, SourceSession session, BackgroundReopener reopener,
                 Duration silenceTimeout) {
        this.lock = lock;
        this.routes = routes;
        this.session = session;
        this.reopener = reopener;
        this.silenceNanos = silenceTimeout.toNanos();
    }

    /**
     * How long refusals of a stream by the engine whose connection was given up while the stream was open there
     * are taken for that connection, which the engine has not seen closed yet (it wakes, answers the new
     * connection, and sees the old one closed a moment later), rather than for another instance that took the
     * stream over: the timeout, and at least 5 s, from the first refusal.
     */
    long givenUpGraceNanos() {
        return Math.max(silenceNanos, TimeUnit.SECONDS.toNanos(5));
    }

    /** With the lock held, as a connection is made: starts the silence watch, unless it runs or the timeout is 0. */
    void start() {
        if (silenceNanos > 0 && watch == null && !session.isClosed()) {
            Thread thread = new Thread(this::watchLoop, "wallaby-source-silence-watch");
            thread.setDaemon(true);
            watch = thread;
            thread.start();
        }
    }

    /**
     * The silence watch: every tenth of the timeout (at most a second, at least 10 ms) looks at each live
     * connection ({@link SourceConnection#watch}), starts the probes that are due and gives up the connections
     * whose engine stayed silent for the whole timeout. Until the connector closes.
     */
    private void watchLoop() {
        long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(TimeUnit.SECONDS.toNanos(1), silenceNanos / 10));
        while (!session.isClosed()) {
            LockSupport.parkNanos(this, tick);
            List<SourceConnection> toProbe = new ArrayList<>();
            List<SourceConnection> givenUp = new ArrayList<>();
            lock.lock();
            try {
                if (session.isClosed()) {
                    return;
                }
                long now = System.nanoTime();
                for (SourceConnection on : routes.connections()) {
                    switch (on.watch(now, silenceNanos)) {
                        case PROBE -> toProbe.add(on);
                        case GIVE_UP -> {
                            giveUp(on, now);
                            givenUp.add(on);
                        }
                        case NONE -> {
                        }
                    }
                }
            } catch (RuntimeException e) {
                log.error("the engine silence watch failed; it goes on", e);
            } finally {
                lock.unlock();
            }
            for (SourceConnection on : givenUp) {
                on.closeSocket(); // without the lock: a write stuck on the socket of a frozen engine ends with it
            }
            for (SourceConnection on : toProbe) {
                try {
                    prober.execute(() -> probe(on));
                } catch (RejectedExecutionException e) {
                    return; // closing
                }
            }
        }
    }

    /** How long a probe waits for the engine: half the timeout, the other half of the quiet spell that started it. */
    private int probeMillis() {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(silenceNanos / 2)));
    }

    /**
     * On a prober thread, without the lock: dials the engine of {@code on}, which has been silent while it waits,
     * says HELLO and hangs up once it answers ({@link EngineConnection#probe}).
     */
    private void probe(SourceConnection on) {
        ConnectorSettings target;
        lock.lock();
        try {
            target = routes.target(on.engine());
        } finally {
            lock.unlock();
        }
        String failure = null;
        try {
            EngineConnection.probe(target.withInstanceName(target.instanceName() + " (probe)"), probeMillis());
        } catch (IOException | RuntimeException e) {
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        lock.lock();
        try {
            if (failure != null) {
                on.silence().probeFailed(failure);
                log.debug("the engine at {} did not answer a probe: {}", on.engine(), failure);
            } else if (on.silence().probeAnswered(System.nanoTime()) && on.isLive()) {
                log.info("the engine at {} has sent nothing for {} while this connector waits on it ({}), but it "
                                + "answers a new connection: it is alive (its sinks may lag, which holds back its "
                                + "acknowledgements and credits); waiting on, and looking again in {} ms",
                        on.engine(), on.silence().describeSilence(System.nanoTime()), on.describeWait(), probeMillis());
            } else {
                log.debug("the engine at {} answered a probe again: it is alive", on.engine());
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives up {@code on}, with the lock held: its engine has sent nothing for the whole timeout while the
     * connection waited on it, and did not answer a probe. The connection ends as a lost one does, its streams
     * are placed on the next engine of the list, and those that no call is busy with are reopened in the
     * background (replaying what was not acknowledged); the calls under way go on by themselves.
     */
    private void giveUp(SourceConnection on, long now) {
        List<OpenStream> moved = routes.giveUp(on, session.openStreams());
        List<String> names = new ArrayList<>();
        for (OpenStream stream : moved) {
            names.add(stream.name());
        }
        List<OpenStream> wereOpen = on.streams().acceptedStreams();
        for (OpenStream stream : wereOpen) {
            stream.givenUpOn(on.engine());
        }
        log.warn("the engine at {} has sent nothing for {} while this connector waited on it ({}), and {}: giving "
                        + "the connection up as lost (--engine-silence-timeout {} ms); reopening its {} stream(s) {} where "
                        + "they are served now (the next engine of {} first, then wherever it redirects), replaying "
                        + "what was not acknowledged",
                on.engine(), on.silence().describeSilence(now), on.describeWait(), on.silence().describeProbe(),
                TimeUnit.NANOSECONDS.toMillis(silenceNanos), moved.size(), names, routes.describe());
        on.giveUp();
        if (!session.isClosed()) {
            for (OpenStream stream : moved) {
                if (!stream.hasCallUnderWay() && !stream.isReopening()) {
                    reopener.reopenInBackground(stream);
                }
            }
        }
    }

    /** When the connector closes, without the lock: the probes stop, and the watch thread sees the connector closed. */
    void stop() {
        prober.shutdownNow();
        Thread running = watch;
        if (running != null) {
            LockSupport.unpark(running);
        }
    }
}
