package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection of a {@link SourceSession} to one engine, from the engine's OK to its end: its credits, what
 * it knows of the streams on it ({@link ConnectionStreams}), and its reader thread, which handles the engine's
 * frames (ACK adds credits and moves streams forward, NOTIFY_ACK is kept for the stream's opener, ERROR ends
 * the connection). A RESTART followed at once by a NOTIFY_ACK(false) redirects that one stream (an answer to
 * its NOTIFY, or, for a stream open here, a move away); any other RESTART ends the connection, whose streams
 * reconnect to the address given. A new connection starts with none of that, and a frame that arrives after
 * this one ended changes nothing. How long its engine has been silent is kept by its {@link ConnectionSilence},
 * which the session's silence watch looks at through {@link #watch}.
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
    private final ConnectionStreams streams = new ConnectionStreams();
    private final ConnectionSilence silence = new ConnectionSilence();
    /** The address of a RESTART whose meaning the next frame decides; null when none waits. */
    private String pendingRestart;

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

    /** The streams on this connection: accepted, NOTIFYs and their answers, EOS sent. */
    ConnectionStreams streams() {
        return streams;
    }

    /** How long the engine has been silent on this connection, and its probes. */
    ConnectionSilence silence() {
        return silence;
    }

    // ---- the silence watch ----

    /**
     * Whether this connection waits on its engine, which then owes it a frame: messages of a stream open here
     * are not acknowledged (sent, or waiting for credit), no credit is left, a NOTIFY or an EOS is not
     * answered. A connection with nothing outstanding owes nothing, however long it is quiet.
     */
    private boolean isWaiting() {
        return credits <= 0 || streams.owed();
    }

    /** What the connection waits for, for a log line: "120 messages not acknowledged on 2 streams, no credit left". */
    String describeWait() {
        return streams.describeWait(credits <= 0);
    }

    /** Looked at by the session's silence watch every tick, with the lock held: see {@link ConnectionSilence#watch}. */
    ConnectionSilence.Watch watch(long now, long timeoutNanos) {
        if (ended) {
            return ConnectionSilence.Watch.NONE;
        }
        return silence.watch(now, timeoutNanos, isWaiting());
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
        silence.heard(System.nanoTime()); // heard, even while the lock is busy
        List<Acknowledged> acknowledged = new ArrayList<>();
        lock.lock();
        try {
            if (ended) {
                return; // a late frame from a connection that was already replaced
            }
            silence.spoke();
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
                        if (streams.sentEos(stream)) {
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
                        streams.answered(stream,
                                new ConnectionStreams.Answer(answer.success(), answer.pointOfReference(), null));
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
        if (streams.redirected(stream, answer.pointOfReference(), address)) {
            session.movedAway(stream, this, address);
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
