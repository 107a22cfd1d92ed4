package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection of a {@link SourceSession} to one engine, from the engine's OK to its end: its credits,
 * the streams the engine accepted on it, the NOTIFY_ACK answers not yet taken, the streams it sent EOS
 * for, and its reader thread, which handles the engine's frames (ACK adds credits and moves streams
 * forward, NOTIFY_ACK is kept for the stream's opener, ERROR ends the connection). A RESTART followed at
 * once by a NOTIFY_ACK(false) redirects that one stream (an answer to its NOTIFY, or, for a stream open
 * here, a move away); any other RESTART ends the connection, whose streams reconnect to the address given.
 * A new connection starts with none of that, and a frame that arrives after this one ended changes nothing.
 * It also keeps what the session's silence watch looks at ({@link #watch}): when the engine last sent a frame,
 * whether this connection waits on the engine, and the probes of a silent engine.
 * Guarded by the connector's lock: the callers' threads call in holding it, the reader thread takes it; the
 * frames themselves are written without it ({@link FrameOutput}).
 */
final class SourceConnection implements EngineConnection.Handler {

    private static final Logger log = LoggerFactory.getLogger(SourceConnector.class);
    /**
     * How long a RESTART waits for the NOTIFY_ACK(false) that makes it a redirect of one stream. The engine
     * writes the two together, so the second is there at once; without it, the RESTART is a restart of the
     * connection, as it always was (an engine that speaks Wallaroo's protocol sends it alone and may wait
     * for the connector to hang up).
     */
    static final int RESTART_PAIR_MILLIS = 1_000;

    /** The engine's answer to a NOTIFY: a NOTIFY_ACK, and the address of the RESTART just before it (null: none). */
    record Answer(boolean success, long point, String redirect) {
    }

    /** What the silence watch is to do about a connection (see {@link #watch}). */
    enum Watch {
        /** Nothing: the engine is heard from, or owes nothing, or a probe is on its way. */
        NONE,
        /** The engine has been silent for half the timeout while this connection waits on it: see whether it answers. */
        PROBE,
        /** Silent for the whole timeout while this connection waits on it, and no probe answered: give it up. */
        GIVE_UP
    }

    /** What became of a frame given to {@link #send}. */
    enum Sent {
        /** Written (buffered; the flusher sends it). */
        SENT,
        /** Not written: another thread was writing, and this one waited for it; check again and retry. */
        AGAIN,
        /** Not written: the connection has ended. */
        ENDED
    }

    private final EngineConnection link;
    private final FrameOutput output;
    private final EngineAddress engine;
    private final ReentrantLock lock;
    private final SourceSession session;
    private long credits;
    /** Read without the lock by close(). */
    private volatile boolean ended;
    // Keyed by the OpenStream itself, not its id: a stream closed and opened again is a new OpenStream,
    // and needs a NOTIFY of its own.
    private final Set<OpenStream> accepted = new HashSet<>();
    private final Map<OpenStream, Answer> answers = new HashMap<>();
    private final Set<OpenStream> eosSent = new HashSet<>();
    /** The address of a RESTART whose meaning the next frame decides; null when none waits. */
    private String pendingRestart;
    /** Streams whose NOTIFY went out on this connection and whose NOTIFY_ACK has not come yet. */
    private final Set<OpenStream> notified = new HashSet<>();

    // ---- the silence watch (System.nanoTime values) ----
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

    SourceConnection(EngineConnection link, EngineAddress engine, ReentrantLock lock, SourceSession session) {
        this.link = link;
        this.output = new FrameOutput(link);
        this.engine = engine;
        this.lock = lock;
        this.session = session;
        this.credits = link.initialCredits();
    }

    /** Starts the reader and the flusher threads; before that no frame is handled. */
    void start() {
        output.start();
        link.start("wallaby-source-reader", this);
    }

    /** The engine this connection is to. */
    EngineAddress engine() {
        return engine;
    }

    long credits() {
        return credits;
    }

    boolean isLive() {
        return !ended;
    }

    boolean hasCredit() {
        return credits > 0;
    }

    /**
     * Sends one frame, spending a credit (there must be one), with the connector's lock held. The lock is let go
     * while the frame is written, so that a socket that does not drain holds up only this engine's senders;
     * the frames keep the order in which their senders claimed the connection, with the lock held. The frame
     * leaves with the next flush: at once when asked ({@link #requestFlush()}), else within about 5 ms.
     */
    Sent send(Frame frame) {
        assert lock.getHoldCount() == 1 : "the lock must be let go entirely while writing";
        if (ended) {
            return Sent.ENDED;
        }
        if (!output.tryClaim()) {
            lock.unlock();
            try {
                output.awaitWriter();
            } finally {
                lock.lock();
            }
            return Sent.AGAIN;
        }
        credits--;
        IOException failed = null;
        lock.unlock();
        try {
            output.writeClaimed(frame);
        } catch (IOException e) {
            failed = e;
        } finally {
            lock.lock();
        }
        if (failed != null) {
            log.warn("sending to the engine at {} failed ({}); reconnecting", engine, failed.getMessage());
            end();
            return Sent.ENDED;
        }
        return Sent.SENT;
    }

    /** Has this connection's flusher thread send what is buffered now; returns at once, with or without the lock. */
    void requestFlush() {
        output.requestFlush();
    }

    /** Sends what is buffered and closes the socket, without the lock, when the connector closes. */
    void close() {
        output.flushAndStop();
        link.close();
    }

    boolean hasAccepted(OpenStream stream) {
        return accepted.contains(stream);
    }

    boolean hasAcceptedAll(Collection<OpenStream> streams) {
        return accepted.containsAll(streams);
    }

    void accepted(OpenStream stream) {
        accepted.add(stream);
    }

    /** Forgets an earlier answer, before a NOTIFY whose answer is awaited. */
    void clearAnswer(OpenStream stream) {
        answers.remove(stream);
    }

    /** The stream's NOTIFY is about to go out: its answer is awaited (marked before: it may come before the send returns). */
    void notifySent(OpenStream stream) {
        notified.add(stream);
    }

    /** The engine's answer to the stream's NOTIFY, once; null while none has come. */
    Answer takeAnswer(OpenStream stream) {
        return answers.remove(stream);
    }

    boolean sentEos(OpenStream stream) {
        return eosSent.contains(stream);
    }

    void eosSent(OpenStream stream) {
        eosSent.add(stream);
    }

    /** The EOS marked sent did not go out: the connection ended, or the stream moved away, first. */
    void forgetEos(OpenStream stream) {
        eosSent.remove(stream);
    }

    /** The stream was closed or taken over. */
    void forget(OpenStream stream) {
        accepted.remove(stream);
        answers.remove(stream);
        eosSent.remove(stream);
        notified.remove(stream);
    }

    /** The streams the engine accepted on this connection and has not moved away. */
    List<OpenStream> acceptedStreams() {
        return List.copyOf(accepted);
    }

    // ---- the silence watch ----

    /**
     * Whether this connection waits on its engine, which then owes it a frame: messages of a stream open here
     * are not acknowledged (sent, or waiting for credit), no credit is left, a NOTIFY or an EOS is not
     * answered. A connection with nothing outstanding owes nothing, however long it is quiet.
     */
    private boolean isWaiting() {
        if (credits <= 0 || !notified.isEmpty()) {
            return true;
        }
        for (OpenStream stream : accepted) {
            if (!stream.fullyAcknowledged()) {
                return true;
            }
        }
        for (OpenStream stream : eosSent) {
            if (!stream.isEosAcknowledged()) {
                return true;
            }
        }
        return false;
    }

    /** What the connection waits for, for a log line: "120 messages not acknowledged on 2 streams, no credit left". */
    String describeWait() {
        List<String> parts = new ArrayList<>();
        long messages = 0;
        int streams = 0;
        for (OpenStream stream : accepted) {
            if (!stream.fullyAcknowledged()) {
                messages += stream.unacknowledgedCount();
                streams++;
            }
        }
        if (streams > 0) {
            parts.add(messages + " message" + (messages == 1 ? "" : "s") + " not acknowledged on " + streams
                    + " stream" + (streams == 1 ? "" : "s"));
        }
        if (credits <= 0) {
            parts.add("no credit left");
        }
        if (!notified.isEmpty()) {
            parts.add(notified.size() + " NOTIFY not answered");
        }
        long eos = eosSent.stream().filter(stream -> !stream.isEosAcknowledged()).count();
        if (eos > 0) {
            parts.add(eos + " EOS not answered");
        }
        return parts.isEmpty() ? "nothing outstanding" : String.join(", ", parts);
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
     * Looked at by the session's silence watch every tick, with the lock held. While the connection waits on
     * its engine and the engine has sent nothing for half of {@code timeoutNanos}, it is probed once (another
     * connection says HELLO; {@link #probeAnswered} or {@link #probeFailed}); when the quiet spell reaches the
     * whole timeout and the probe got no answer, the connection is given up. A frame from the engine or an
     * answered probe starts a new spell; so does a connection that begins to wait, so that time spent idle
     * never counts.
     */
    Watch watch(long now, long timeoutNanos) {
        if (ended) {
            return Watch.NONE;
        }
        if (!isWaiting()) {
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

    /**
     * Gives the connection up, with the lock held: from now on it is ended, as a lost one is, and every call
     * waiting on it goes on. The caller closes its socket afterwards, without the lock ({@link #closeSocket}).
     */
    void giveUp() {
        if (!ended) {
            ended = true;
            output.stop();
            session.signalChange();
        }
    }

    /** Closes the socket of a connection given up; without the lock, as it may wait for a write stuck on it. */
    void closeSocket() {
        link.close();
    }

    /** Ends the connection (with the lock held): the next call that needs the engine dials a new one. */
    private void end() {
        if (!ended) {
            ended = true;
            link.close();
            output.stop();
            session.signalChange();
        }
    }

    private record Acknowledged(OpenStream stream, long point) {
    }

    @Override
    public void onFrame(Frame frame) {
        lastHeard = System.nanoTime(); // heard, even while the lock is busy
        List<Acknowledged> acknowledged = new ArrayList<>();
        lock.lock();
        try {
            if (ended) {
                return; // a late frame from a connection that was already replaced
            }
            toldAlive = false;
            if (pendingRestart != null) {
                String address = pendingRestart;
                pendingRestart = null;
                if (frame instanceof Frame.NotifyAck answer && !answer.success()) {
                    redirected(answer, address);
                } else {
                    restart(address); // this frame goes with the connection
                }
                session.signalChange();
                return;
            }
            switch (frame.type()) {
                case ACK -> {
                    Frame.Ack ack = (Frame.Ack) frame;
                    credits += ack.credits();
                    for (Frame.StreamPoint point : ack.points()) {
                        OpenStream stream = session.streamWithId(point.streamId());
                        if (stream == null) {
                            continue;
                        }
                        if (eosSent.contains(stream)) {
                            stream.eosAcknowledged();
                        }
                        if (stream.acknowledge(point.pointOfReference())) {
                            acknowledged.add(new Acknowledged(stream, point.pointOfReference()));
                        }
                    }
                }
                case NOTIFY_ACK -> {
                    Frame.NotifyAck answer = (Frame.NotifyAck) frame;
                    OpenStream stream = session.streamWithId(answer.streamId());
                    if (stream != null) {
                        notified.remove(stream);
                        answers.put(stream, new Answer(answer.success(), answer.pointOfReference(), null));
                    }
                }
                case ERROR -> {
                    log.warn("the engine ended the session: {}; reconnecting", ((Frame.Error) frame).reason());
                    end();
                }
                case RESTART -> {
                    // A redirect of one stream when a NOTIFY_ACK(false) follows at once, else a restart.
                    pendingRestart = ((Frame.Restart) frame).address();
                    link.expectNextFrameWithin(RESTART_PAIR_MILLIS);
                }
                default -> {
                    log.warn("the engine sent {}, which a source connector never receives; reconnecting", frame.type());
                    end();
                }
            }
            session.signalChange();
        } finally {
            lock.unlock();
        }
        // Outside the lock: the listener must not hold up the connector's thread.
        for (Acknowledged a : acknowledged) {
            session.tellListener(a.stream(), a.point());
        }
    }

    /** RESTART(address) then NOTIFY_ACK(false): an answer to the stream's NOTIFY, or the stream moved away. */
    private void redirected(Frame.NotifyAck answer, String address) {
        OpenStream stream = session.streamWithId(answer.streamId());
        if (stream == null) {
            return; // closed meanwhile
        }
        notified.remove(stream);
        if (accepted.remove(stream)) {
            // From now on the engine drops what this connection still sends on the stream: nothing to undo.
            eosSent.remove(stream);
            session.movedAway(stream, this, address);
        } else {
            answers.put(stream, new Answer(false, answer.pointOfReference(), address));
        }
    }

    /** A RESTART on its own: the connection ends, and its streams reconnect to {@code address}. */
    private void restart(String address) {
        session.restartAt(this, address);
        end();
    }

    @Override
    public void onClosed(Exception cause) {
        lock.lock();
        try {
            if (pendingRestart != null && !ended) {
                restart(pendingRestart); // the RESTART was not followed by a NOTIFY_ACK: the connection restarts
                pendingRestart = null;
                return;
            }
            if (!ended && !session.isClosed()) {
                log.warn("lost the engine session with {} ({}); reconnecting on the next call", engine,
                        cause == null ? "closed" : cause.getMessage());
            }
            end();
        } finally {
            lock.unlock();
        }
    }
}
