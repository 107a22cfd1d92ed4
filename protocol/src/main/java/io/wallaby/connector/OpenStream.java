package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Points;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a {@link SourceConnector} knows of one stream it opened, across reconnections: the last id it sent,
 * the point the engine acknowledged, the point it resumed from, and the replay buffer of messages sent but
 * not yet acknowledged. (The engine's own view of a source stream is {@code io.wallaby.engine.stream.SourceStream}.)
 * What happens on one connection (accepted by NOTIFY_ACK, EOS sent) belongs to its {@link ConnectionStreams}.
 * Guarded by the connector's lock, except {@link #calls}.
 */
final class OpenStream {

    private static final Logger log = LoggerFactory.getLogger(SourceConnector.class);

    private final String name;
    private final long id;
    /**
     * Serialises the calls on this stream ({@code openStream}, {@code write}, {@code closeStream}) for their
     * whole length, waits included, so that its messages keep their order; a call on another stream never takes
     * it. Taken before the connector's lock, never while holding it (except with {@code tryLock}).
     */
    final ReentrantLock calls = new ReentrantLock();
    /** The last message id written, or U64_MAX when none yet. */
    private long lastSentId = Frame.U64_MAX;
    /** The last point the engine acknowledged, or U64_MAX when none. */
    private long acknowledgedPoint = Frame.U64_MAX;
    /** The point the first NOTIFY_ACK gave: where the connector resumes. */
    private long resumePoint = Frame.U64_MAX;
    /** Sent, not yet acknowledged, oldest first: what a reconnect replays. */
    private final ArrayDeque<Frame.Message> unacknowledged = new ArrayDeque<>();
    /** The engine that accepted the stream last; null before the first time. */
    private EngineAddress acceptedBy;
    /** The engine accepted the stream on some connection: from then on a refusal means it was taken over. */
    private boolean everAccepted;
    private boolean eosAcknowledged;
    /** A thread is sending its NOTIFY or replaying it: no other thread NOTIFYs it, nor sends it new frames. */
    private boolean opening;
    /** A reopening that {@code flush()} started in the background is on its way. */
    private boolean reopening;
    /**
     * The engine whose silent connection the stream was open on when this connector gave that connection up;
     * null once the stream is accepted again. That engine may refuse the stream for a moment when it wakes.
     */
    private EngineAddress givenUpOn;
    /** When that engine first refused the stream since (System.nanoTime); meaningful while {@link #refusedByGivenUp}. */
    private long firstRefusalAt;
    private boolean refusedByGivenUp;

    OpenStream(String name, long id) {
        this.name = name;
        this.id = id;
    }

    String name() {
        return name;
    }

    long id() {
        return id;
    }

    long resumePoint() {
        return resumePoint;
    }

    long acknowledgedPoint() {
        return acknowledgedPoint;
    }

    long lastSentId() {
        return lastSentId;
    }

    /** What the next message id must be above: the last one written, or the resume point before any. */
    long floor() {
        return lastSentId != Frame.U64_MAX ? lastSentId : resumePoint;
    }

    /** One above {@link #floor()}; 1 on a stream with nothing written or acknowledged. */
    long nextId() {
        long floor = floor();
        return floor == Frame.U64_MAX ? 1 : floor + 1;
    }

    int unacknowledgedCount() {
        return unacknowledged.size();
    }

    /** Puts a message in the replay buffer as the last one written; it stays there until acknowledged. */
    Frame.Message append(long messageId, byte[] key, byte[] payload) {
        Frame.Message message = new Frame.Message(id, messageId, 0L, key, payload);
        unacknowledged.add(message);
        lastSentId = messageId;
        return message;
    }

    /** The replay buffer, oldest first, as a copy: sending may change the buffer. */
    List<Frame.Message> toReplay() {
        return List.copyOf(unacknowledged);
    }

    /** The NOTIFY that opens the stream on a connection, saying where this connector stands. */
    Frame.Notify notifyFrame() {
        return new Frame.Notify(id, name, acknowledgedPoint);
    }

    boolean everAccepted() {
        return everAccepted;
    }

    boolean isOpening() {
        return opening;
    }

    /** From the NOTIFY to the end of the replay (or the answer that it is not served there), one thread at a time. */
    void opening(boolean now) {
        opening = now;
    }

    boolean isReopening() {
        return reopening;
    }

    void reopening(boolean now) {
        reopening = now;
    }

    /** A call on this stream is under way (on any thread). */
    boolean hasCallUnderWay() {
        return calls.isLocked();
    }

    /**
     * The engine {@code engine} accepted the stream at {@code enginePoint}. The first time, that is where the
     * connector resumes; on a reconnection it acknowledges what the engine got before the connection broke.
     */
    void accepted(long enginePoint, EngineAddress engine) {
        givenUpOn = null;
        refusedByGivenUp = false;
        EngineAddress before = acceptedBy;
        acceptedBy = engine;
        if (!everAccepted) {
            everAccepted = true;
            resumePoint = enginePoint;
            acknowledgedPoint = enginePoint;
            log.info("stream '{}' open, resuming after {}", name, Points.describe(enginePoint));
            return;
        }
        boolean behind = acknowledgedPoint != Frame.U64_MAX
                && (enginePoint == Frame.U64_MAX || Long.compareUnsigned(enginePoint, acknowledgedPoint) < 0);
        if (behind && !engine.equals(before)) {
            // The stream moved to another engine of a cluster. What the previous one acknowledged is done (a
            // stateless engine acknowledges only what its sinks committed); the new one simply never saw it.
            log.info("stream '{}' moved from {} to {}, which stands at {}; {} acknowledged by {} is done", name, before,
                    engine, Points.describe(enginePoint), Points.describe(acknowledgedPoint), before);
        } else if (behind) {
            log.error("stream '{}': the engine now stands at {} but had acknowledged {} before; the messages in between "
                            + "are no longer held here and are missing from the engine (was its state lost?)",
                    name, Points.describe(enginePoint), Points.describe(acknowledgedPoint));
        }
        acknowledge(enginePoint);
        // The engine drops ids at or below its point as duplicates: the next id must be above it.
        if (lastSentId != Frame.U64_MAX && enginePoint != Frame.U64_MAX
                && Long.compareUnsigned(enginePoint, lastSentId) > 0) {
            lastSentId = enginePoint;
        }
        log.info("stream '{}' reopened at {}; replaying {} unacknowledged messages", name,
                Points.describe(enginePoint), unacknowledged.size());
    }

    /** The connector gave up the silent connection to {@code engine} while the stream was open there. */
    void givenUpOn(EngineAddress engine) {
        givenUpOn = engine;
        refusedByGivenUp = false;
    }

    /**
     * {@code engine} refused the stream (NOTIFY_ACK(false) with no RESTART: open on another connection) at
     * {@code now}: whether that may be the connection this connector gave up on, which an engine that was frozen
     * sees closed only once it runs again, rather than another instance that took the stream over. True when the
     * connection given up was to that engine, for {@code graceNanos} from its first such refusal.
     */
    boolean mayStillBeOpenOnGivenUp(EngineAddress engine, long now, long graceNanos) {
        if (givenUpOn == null || !givenUpOn.equals(engine)) {
            return false;
        }
        if (!refusedByGivenUp) {
            refusedByGivenUp = true;
            firstRefusalAt = now;
        }
        return now - firstRefusalAt < graceNanos;
    }

    /** Records an acknowledgement; false when it does not move the stream forward. */
    boolean acknowledge(long point) {
        if (point == Frame.U64_MAX || !Points.isAfter(point, acknowledgedPoint)) {
            return false;
        }
        acknowledgedPoint = point;
        Iterator<Frame.Message> it = unacknowledged.iterator();
        while (it.hasNext() && !Points.isAfter(it.next().messageId(), point)) {
            it.remove();
        }
        return true;
    }

    /** Everything written has been acknowledged. */
    boolean fullyAcknowledged() {
        return lastSentId == Frame.U64_MAX || !Points.isAfter(lastSentId, acknowledgedPoint);
    }

    /** The engine acknowledged after this stream's EOS: the stream is complete. */
    void eosAcknowledged() {
        eosAcknowledged = true;
    }

    boolean isEosAcknowledged() {
        return eosAcknowledged;
    }
}
