package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the streams of a {@link SourceSession} where they are served, following redirects: the NOTIFY, its
 * answer (a standby waits and retries; a stream this connector had before and now refused was taken over;
 * an engine that does not serve it names its owner, or nobody, and the stream is asked for there, or again
 * after a backoff), then the replay of what the engine has not acknowledged.
 *
 * <p>One thread at a time opens a stream: it marks the stream {@linkplain OpenStream#isOpening() opening}
 * from its NOTIFY to the end of its replay, and no frame of the stream goes out meanwhile but the
 * opener's, so the engine never sees a new message before the replayed ones. A call that needs a stream
 * another thread is opening waits for that, and a call waits only for what its own stream needs: its
 * engine's dial, the answers of its engine. When a new connection to an engine is made, the other streams
 * placed on that engine are opened too, on that connection, as long as nobody is opening them, but only
 * what that engine answers is waited for: a standby's retries are its own call's.
 *
 * <p>With the connector's lock held; every wait releases it.
 */
final class StreamOpener {

    private static final Logger log = LoggerFactory.getLogger(SourceConnector.class);

    /** What one NOTIFY came to. */
    private enum Outcome {
        /** Accepted and replayed. */
        OPENED,
        /** Redirected: placed on the engine named, or unplaced while no engine knows its owner. */
        ELSEWHERE,
        /** Open on another connection, for a stream opened on behalf of another call: that call retries. */
        REFUSED,
        /** Closed meanwhile (a close that gave up waiting for the answer). */
        GONE,
        /** The connection ended on the way. */
        BROKEN
    }

    private final SourceSession session;
    private final EngineRoutes routes;

    StreamOpener(SourceSession session, EngineRoutes routes) {
        this.session = session;
        this.routes = routes;
    }

    /**
     * Makes sure the stream is open on a live connection to the engine that serves it, following redirects.
     *
     * @return true when this call (re)opened it, which re-sent its unacknowledged messages; false when it was
     *         open, or another thread opened it (a message written before may then go out twice: the engine
     *         drops the second)
     */
    boolean ensureOpen(OpenStream stream, SourceCall call) {
        if (routes.isOpen(stream)) {
            return false; // the common case, on every write: nothing to do
        }
        Backoff unserved = Backoff.standard();
        int redirects = 0;
        boolean openedHere = false;
        boolean slept = false;
        while (true) {
            call.checkTime();
            session.checkCurrent(stream);
            if (routes.isOpen(stream)) {
                return openedHere;
            }
            if (stream.isOpening()) {
                call.await(100); // another thread sends its NOTIFY or replays it: that is this call's answer too
                continue;
            }
            // Ask again after a backoff (at the next engine of the list) when no engine knows the owner; and
            // after the first redirect, as engines that send a stream to and fro must not make us spin.
            if (!slept && (routes.isUnplaced(stream) || redirects > 1)) {
                call.sleep(unserved.next());
                slept = true;
                continue; // another thread may have opened it meanwhile
            }
            slept = false;
            SourceConnection on = routes.connect(stream, call);
            if (on == null) {
                continue; // could not reach it: the next engine of the list is asked
            }
            openedHere |= openPlaced(on, stream, call);
            if (on.isLive() && !routes.isPlacedOn(stream, on)) {
                redirects++; // the engine redirected it (else the connection broke: dial again)
            }
        }
    }

    /**
     * NOTIFY (and replay) every stream placed on {@code on}'s engine that is not open there and that nobody is
     * opening, in the order opened.
     *
     * @return whether {@code mine} was opened here
     */
    private boolean openPlaced(SourceConnection on, OpenStream mine, SourceCall call) {
        boolean mineOpened = false;
        for (OpenStream stream : session.openStreams()) {
            if (!session.isCurrent(stream) || !routes.isPlacedOn(stream, on) || on.streams().hasAccepted(stream)
                    || stream.isOpening()) {
                continue;
            }
            Outcome outcome = open(stream, on, call, stream == mine);
            if (outcome == Outcome.BROKEN) {
                return mineOpened;
            }
            mineOpened |= stream == mine && outcome == Outcome.OPENED;
        }
        return mineOpened;
    }

    /**
     * NOTIFY, wait for NOTIFY_ACK (for {@code own}, the call's own stream, retrying with backoff while the
     * stream is open elsewhere), then replay; or place the stream where the engine redirects it.
     */
    private Outcome open(OpenStream stream, SourceConnection on, SourceCall call, boolean own) {
        stream.opening(true);
        try {
            Backoff standby = Backoff.standard();
            while (true) {
                on.streams().clearAnswer(stream);
                on.streams().notifySent(stream);
                if (!session.send(on, stream.notifyFrame(), null, call)) {
                    return Outcome.BROKEN;
                }
                on.requestFlush();
                ConnectionStreams.Answer answer;
                // Not given up for a deadline: an answer on its way would then meet a second NOTIFY.
                while ((answer = on.streams().takeAnswer(stream)) == null) {
                    if (!on.isLive()) {
                        return Outcome.BROKEN;
                    }
                    if (!session.isCurrent(stream)) {
                        return Outcome.GONE; // its answer will not be kept
                    }
                    call.await(100);
                }
                if (answer.redirect() != null) {
                    routes.redirect(stream, on, answer.redirect(), false);
                    return Outcome.ELSEWHERE;
                }
                if (answer.success()) {
                    on.streams().accepted(stream);
                    stream.accepted(answer.point(), on.engine());
                    return replay(stream, on, call) ? Outcome.OPENED : Outcome.BROKEN;
                }
                boolean ownGivenUp = stream.everAccepted()
                        && stream.mayStillBeOpenOnGivenUp(on.engine(), System.nanoTime(), session.givenUpGraceNanos());
                if (stream.everAccepted() && !ownGivenUp) {
                    // Waiting here as a standby would keep what this instance reads from (a replication slot)
                    // away from the instance the engine now takes the stream from: both would wait forever.
                    throw session.takenOver(stream);
                }
                if (!own) {
                    return Outcome.REFUSED;
                }
                if (ownGivenUp) {
                    // An engine that wakes sees the connection given up closed a moment after it answers a new one.
                    log.info("the engine at {} still holds stream '{}' on the connection this connector gave up on "
                            + "(it has not seen it closed yet); asking again in {} ms", on.engine(), stream.name(),
                            standby.nextDelayMillis());
                } else {
                    log.info("stream '{}' is open on another connection (another instance?); this one waits as a "
                            + "standby and retries in {} ms", stream.name(), standby.nextDelayMillis());
                }
                call.sleep(standby.next());
                call.checkTime();
                if (!on.isLive()) {
                    return Outcome.BROKEN;
                }
            }
        } finally {
            stream.opening(false);
            call.signalAll();
        }
    }

    /** Re-sends, with their ids, the messages the engine has not acknowledged; false when the connection broke. */
    private boolean replay(OpenStream stream, SourceConnection on, SourceCall call) {
        for (Frame.Message message : stream.toReplay()) {
            if (!session.send(on, message, null, call)) {
                return false;
            }
        }
        on.requestFlush();
        return true;
    }
}
