package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Points;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;

/**
 * One engine of a {@link SinkConnector}. A thread of its own dials the engine, retrying with backoff, and
 * dials again each time a session ends, until the connector closes; each session's frames go, in order,
 * into the connector's inbox, which every engine shares, so that the connector's one thread handles them
 * all. What the connector sends on the session, that same thread of the link writes ({@link SinkOutput}), so
 * that the connector's thread never waits for an engine's socket. On the connector's thread the link also
 * keeps its session's books: the credits it used since they were last given back, the messages delivered and
 * not yet committed, and per stream announced on it the point it was last told (by NOTIFY_ACK or ACK).
 */
final class SinkLink {

    private static final Logger log = LoggerFactory.getLogger(SinkConnector.class);
    /** How long closing waits for the frames sent last to go out. */
    private static final long CLOSE_FLUSH_MILLIS = 1_000;

    /** What a link puts into the connector's inbox. */
    sealed interface Event permits Connected, Received, Ended, Failed, Closed, Discovered {
    }

    /** An engine was found ({@link SinkConnector#addEngine}, from any thread): the connector dials it unless it does already. */
    record Discovered(EngineAddress engine) implements Event {
    }

    /** A session began: the connector grants it credits. Its frames go out through {@code output}. */
    record Connected(SinkLink link, EngineConnection connection, SinkOutput output) implements Event {
    }

    record Received(SinkLink link, EngineConnection connection, Frame frame) implements Event {
    }

    /** The session ended; the link's thread is already dialling again. */
    record Ended(SinkLink link, EngineConnection connection) implements Event {
    }

    /** The engine refused a connector that never had a session: fatal, the link's thread has stopped. */
    record Failed(SinkLink link, ConnectorException failure) implements Event {
    }

    /** The connector was closed (from any thread): whoever waits for an event stops waiting. */
    record Closed() implements Event {
    }

    private final Dialer dialer;
    private final BlockingQueue<Event> inbox;
    private volatile boolean closed;
    private Thread thread;
    /** The session of the link's thread, and its output, for close(). */
    private volatile EngineConnection dialled;
    private volatile SinkOutput dialledOutput;

    // ---- the connector's thread only ----

    /** The session the connector is handling, and its output; null while there is none (or it was dropped). */
    private EngineConnection connection;
    private SinkOutput output;
    /** MESSAGE frames received (delivered or skipped) since credits were last given back. */
    private long consumedSinceGrant;
    /** Messages handed to the caller and not yet committed. */
    private long deliveredUncommitted;
    /** Streams announced on this session, and the point this engine was last told for each. */
    private final Map<Long, Long> told = new HashMap<>();
    /** Streams of which this engine sent a duplicate it was not told was committed: it is told at the next ACK. */
    private final Set<Long> owed = new LinkedHashSet<>();

    private final Dialer.Side dialling = new Dialer.Side() {
        @Override
        public void checkWanted() {
            if (closed) {
                throw new ConnectorException("this sink connector is closed");
            }
        }

        @Override
        public EngineConnection unlocked(Dialer.Attempt attempt) throws IOException {
            return attempt.open();
        }

        @Override
        public void pause(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                throw new ConnectorException("interrupted while waiting to reconnect to the engine", e);
            }
        }
    };

    SinkLink(Dialer dialer, BlockingQueue<Event> inbox) {
        this.dialer = dialer;
        this.inbox = inbox;
    }

    /** Where the link dials now (moved by a RESTART it followed). */
    EngineAddress target() {
        return new EngineAddress(dialer.target().engineHost(), dialer.target().enginePort());
    }

    /** Follows a RESTART: the next session is with the engine at {@code address} (see {@link Dialer#restartAt}). */
    void restartAt(String address) {
        dialer.restartAt(address);
    }

    void start() {
        thread = new Thread(this::dialLoop, "wallaby-sink-dialer");
        thread.setDaemon(true);
        thread.start();
    }

    private void dialLoop() {
        try {
            while (!closed) {
                EngineConnection opened = dialer.dial(dialling);
                SinkOutput out = new SinkOutput(opened, target());
                dialledOutput = out;
                dialled = opened;
                if (closed) {
                    opened.close();
                    return;
                }
                CountDownLatch over = new CountDownLatch(1);
                inbox.add(new Connected(this, opened, out));
                opened.start("wallaby-sink-reader", new EngineConnection.Handler() {
                    @Override
                    public void onFrame(Frame frame) {
                        inbox.add(new Received(SinkLink.this, opened, frame));
                    }

                    @Override
                    public void onClosed(Exception cause) {
                        if (cause != null && !closed) {
                            log.warn("lost the engine session with {} ({})", target(), cause.getMessage());
                        }
                        out.end();
                        inbox.add(new Ended(SinkLink.this, opened));
                        over.countDown();
                    }
                });
                // For the session, this thread writes what the connector's thread sends (see SinkOutput).
                out.run();
                over.await();
            }
        } catch (ConnectorException e) {
            if (!closed) {
                inbox.add(new Failed(this, e));
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /**
     * Stops dialling and ends the session, from any thread, after the last frames sent went out (waiting at most
     * a second for them: an engine that does not read is not waited for).
     */
    void close() {
        closed = true;
        SinkOutput lastOutput = dialledOutput;
        if (lastOutput != null) {
            lastOutput.finish(CLOSE_FLUSH_MILLIS);
        }
        EngineConnection last = dialled;
        if (last != null) {
            last.close();
        }
        if (thread != null) {
            thread.interrupt();
        }
    }

    // ---- the session's books, on the connector's thread ----

    /** A Connected event: from now on this is the session, and it starts with clean books. */
    void connected(EngineConnection session, SinkOutput sessionOutput) {
        connection = session;
        output = sessionOutput;
        consumedSinceGrant = 0;
        deliveredUncommitted = 0;
        told.clear();
        owed.clear();
    }

    boolean isCurrent(EngineConnection session) {
        return connection == session;
    }

    boolean isConnected() {
        return connection != null;
    }

    /** Ends the session (it broke, or the engine misbehaved); the link's thread dials again. */
    void drop() {
        if (connection != null) {
            output.end();
            connection.close();
            connection = null;
            output = null;
        }
    }

    /** The engine announced the stream and was told {@code point}. */
    void announced(long streamId, long point) {
        told.put(streamId, point);
    }

    boolean hasAnnounced(long streamId) {
        return told.containsKey(streamId);
    }

    /** A MESSAGE frame arrived: it used a credit. */
    void received() {
        consumedSinceGrant++;
    }

    void delivered() {
        deliveredUncommitted++;
    }

    /**
     * A message at or below the stream's committed point was skipped. When this engine was not told that
     * point (another engine delivered the stream meanwhile, around a move), it is told at the next ACK: else
     * it would keep those outputs as uncommitted, and its source would never hear they are done.
     */
    void skipped(long streamId, long messageId) {
        Long point = told.get(streamId);
        if (point != null && Points.isAfter(messageId, point)) {
            owed.add(streamId);
        }
    }

    /** Only skipped messages used credits since the last grant: they should be given back now. */
    boolean owesCreditsForSkipped() {
        return connection != null && consumedSinceGrant > 0 && deliveredUncommitted == 0;
    }

    /**
     * Sends an ACK: the credits used since the last one, and {@code committed}'s point for each stream of
     * {@code streams} announced here and each stream owed one; nothing when it would say nothing. The
     * messages delivered are committed by then.
     */
    void grant(Iterable<Long> streams, Map<Long, Long> committed) {
        deliveredUncommitted = 0;
        if (connection == null) {
            return;
        }
        Set<Long> tell = new LinkedHashSet<>();
        for (Long stream : streams) {
            if (told.containsKey(stream)) {
                tell.add(stream);
            }
        }
        tell.addAll(owed);
        owed.clear();
        List<Frame.StreamPoint> points = new ArrayList<>();
        for (Long stream : tell) {
            long point = committed.getOrDefault(stream, Frame.U64_MAX);
            points.add(new Frame.StreamPoint(stream, point));
            told.put(stream, point);
        }
        long credits = consumedSinceGrant;
        if (credits == 0 && points.isEmpty()) {
            return;
        }
        consumedSinceGrant = 0;
        send(new Frame.Ack(credits, points));
    }

    /**
     * Sends a frame on the session: the link's thread writes it, after those sent before, so this never waits
     * for the engine (see {@link SinkOutput}); when writing fails, the session ends and the link dials again.
     */
    void send(Frame frame) {
        if (connection == null) {
            return;
        }
        output.offer(frame);
    }
}
