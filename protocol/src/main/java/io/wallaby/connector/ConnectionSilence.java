package io.wallaby.connector;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * How long one {@link SourceConnection}'s engine has been silent, for the session's {@link SilenceWatch}: when
 * the engine last sent a frame, whether the connection waits on it and since when, and the probes of a silent
 * engine; from these, whether a quiet spell calls for a probe (at half the timeout) or for giving the connection
 * up (at the whole timeout, with no probe answered). Whether the connection waits on its engine is the
 * connection's to say ({@link #watch}'s argument). All times are System.nanoTime values.
 * Guarded by the connector's lock, except {@link #heard}, which the connection's reader thread calls before it
 * takes the lock, so that a frame counts as heard even while the lock is busy.
 */
final class ConnectionSilence {

    /** What the silence watch is to do about a connection (see {@link #watch}). */
    enum Watch {
        /** Nothing: the engine is heard from, or owes nothing, or a probe is on its way. */
        NONE,
        /** The engine has been silent for half the timeout while this connection waits on it: see whether it answers. */
        PROBE,
        /** Silent for the whole timeout while this connection waits on it, and no probe answered: give it up. */
        GIVE_UP
    }

    /** When the engine last sent a frame on this connection (its OK to begin with); written before the lock is taken. */
    private volatile long lastHeard = System.nanoTime();
    /** Whether this connection waited on its engine when last watched, and since when. */
    private boolean waiting;
    private long waitingSince;
    /** When the engine last answered a probe (the connection's start before any). */
    private long answeredProbeAt = lastHeard;
    /** A probe is on its way, since when; and the quiet spell ({@link #quietSince()}) the last one was made for. */
    private boolean probing;
    private long probeStartedAt;
    private boolean probedSpell;
    private long probedFor;
    /** Why the last probe got no answer, for the give-up's log line; null when none failed. */
    private String probeFailure;
    /** The engine was found alive during the current quiet spell, and the log said so once. */
    private boolean toldAlive;

    /** The engine sent a frame at {@code now}; without the lock. */
    void heard(long now) {
        lastHeard = now;
    }

    /** With the lock held, as a frame of a live connection is handled: the next answered probe is logged again. */
    void spoke() {
        toldAlive = false;
    }

    /**
     * The start of the current quiet spell: the latest of the engine's last frame, the moment this connection
     * began to wait on it, and the engine's last answer to a probe.
     */
    private long quietSince() {
        long since = lastHeard;
        if (waitingSince - since > 0) {
            since = waitingSince;
        }
        if (answeredProbeAt - since > 0) {
            since = answeredProbeAt;
        }
        return since;
    }

    /**
     * Looked at by the session's silence watch every tick, with the lock held, for a live connection. While the
     * connection waits on its engine ({@code waitsNow}) and the engine has sent nothing for half of
     * {@code timeoutNanos}, it is probed once (another connection says HELLO; {@link #probeAnswered} or
     * {@link #probeFailed}); when the quiet spell reaches the whole timeout and the probe got no answer, the
     * connection is given up. A frame from the engine or an answered probe starts a new spell; so does a
     * connection that begins to wait, so that time spent idle never counts.
     */
    Watch watch(long now, long timeoutNanos, boolean waitsNow) {
        if (!waitsNow) {
            waiting = false;
            return Watch.NONE;
        }
        if (!waiting) {
            waiting = true;
            waitingSince = now;
        }
        long since = quietSince();
        long quiet = now - since;
        boolean probed = probedSpell && probedFor == since;
        if (quiet >= timeoutNanos / 2 && !probed && !probing) {
            probing = true;
            probedSpell = true;
            probedFor = since;
            probeStartedAt = now;
            probeFailure = null;
            return Watch.PROBE;
        }
        // Never without a probe that went unanswered: an engine that answers one is alive. A probe gives up after
        // half the timeout; one that is still on its way after the whole timeout counts as unanswered.
        if (quiet >= timeoutNanos && probed && (!probing || now - probeStartedAt >= timeoutNanos)) {
            return Watch.GIVE_UP;
        }
        return Watch.NONE;
    }

    /**
     * The engine answered a probe at {@code now}: it is alive, only silent here (its sinks lag, say, which holds
     * back acknowledgements and credits); a new quiet spell begins.
     *
     * @return true the first time in this connection's current silence: the caller says so in the log
     */
    boolean probeAnswered(long now) {
        probing = false;
        answeredProbeAt = now;
        boolean first = !toldAlive;
        toldAlive = true;
        return first;
    }

    /** A probe got no answer (the reason says why): the connection is given up when its quiet spell reaches the timeout. */
    void probeFailed(String reason) {
        probing = false;
        probeFailure = reason;
    }

    /** For the give-up's log line: what the probe of this quiet spell came to. */
    String describeProbe() {
        if (probing) {
            return "a new connection to it has had no answer yet";
        }
        return "a new connection to it got no answer (" + probeFailure + ")";
    }

    /**
     * How long the engine has sent nothing on this connection: "15.2 s"; when the connection was idle for a
     * while before it began to wait, also how long it has waited: "3600.4 s, the last 15.1 s of it".
     */
    String describeSilence(long now) {
        String text = seconds(now - lastHeard);
        if (waiting && waitingSince - lastHeard > TimeUnit.SECONDS.toNanos(1)) {
            text += ", the last " + seconds(now - waitingSince) + " of it";
        }
        return text;
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
