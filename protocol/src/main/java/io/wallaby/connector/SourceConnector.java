package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Points;
import io.wallaby.protocol.StreamIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A blocking client for the engine's source port: what a source connector writes its data through.
 *
 * <h2>Lifecycle</h2>
 * <ol>
 *   <li>{@link #connect()}: dials the engine and says HELLO; retries with backoff until the engine is up.</li>
 *   <li>{@link #openStream(String)} for each stream: returns the point the engine has acknowledged, and the
 *       connector resumes right after it. While the stream is open on another connection (another instance
 *       of this connector), it waits and retries: a second instance is a standby.</li>
 *   <li>{@link #write} messages with strictly increasing ids per stream. {@code write} buffers; frames go
 *       out on {@link #flush()}, when the connector waits for credits, and at the latest about 5 ms later.</li>
 *   <li>{@link #closeStream} / {@link #close()}: waits (bounded) until everything written is acknowledged,
 *       sends EOS and waits for the engine's final ACK.</li>
 * </ol>
 *
 * <h2>Delivery</h2>
 * Messages sent but not yet acknowledged stay in a bounded replay buffer; {@code write} blocks while it is
 * full. When the engine goes away, refuses the session or asks for a RESTART, the next call that needs it
 * reconnects with backoff (100 ms doubling to 5 s), opens the streams it served again and re-sends, with
 * their ids, the buffered messages above the point the engine acknowledges. The engine drops ids it has
 * already seen, so nothing is doubled.
 *
 * <h2>Several engines (a cluster)</h2>
 * Given several engines ({@link ConnectorSettings#engines()}, {@code --engine-host a:7100,b:7100}), the
 * connector opens each stream on the first engine of the list and follows the engines' redirects (see
 * "Clusters" in docs/PROTOCOL.md): an engine that does not own a stream names its owner, and the stream is
 * opened there; while no engine knows the owner, the connector asks again with backoff, going round the
 * list; an engine that cannot be reached passes the stream to the next one. It keeps one connection per
 * engine it needs, each with its own credits and backoff, also to an engine that is not in the list. When an
 * engine gives up a stream that is open on it, the next call that needs the stream (or {@link #flush()})
 * opens it where it lives now and replays what that engine has not acknowledged, exactly as after a
 * reconnection. None of this changes the calls above: a stream's messages keep their ids wherever they go.
 *
 * <h2>A silent engine</h2>
 * An engine that freezes (SIGSTOP, a hung machine, a network partition that leaves the TCP connection open)
 * says nothing, and TCP does not notice for hours. A connection <em>waits on its engine</em> when the engine
 * owes it a frame: messages of a stream open there are not acknowledged, no credit is left, or a NOTIFY or an
 * EOS is not answered. A healthy engine answers such a connection as it works, with ACKs as it processes
 * (credits) and as what it processed becomes durable at the sinks (points; a stateful engine's after each
 * checkpoint, every {@code --checkpoint-interval}, 200 ms by default). With an
 * {@linkplain ConnectorSettings#engineSilenceTimeout() engine silence timeout} T ({@code --engine-silence-timeout},
 * 15 s unless set):
 * <ul>
 *   <li>when a connection has waited on its engine and heard nothing from it (no frame at all) for T/2, the
 *       connector probes the engine: it dials it a second time, says HELLO (as instance {@code "<name> (probe)"})
 *       and hangs up at the answer. This is the one case where a healthy engine stays silent with messages
 *       outstanding for as long as it likes: its sinks lag or are away, and it acknowledges nothing (a point is
 *       acknowledged only once durable at the sinks) and, once {@code --max-pending} outputs wait for them,
 *       grants no credit. It answers the probe at once: it is waited for, said once in the log, and probed
 *       again each T/2 while it stays silent; never given up.</li>
 *   <li>when the connection's quiet spell reaches T and the probe got no answer within T/2 (a frozen process
 *       leaves the HELLO in its socket; a cut-off machine is not reached), the connection is given up: one
 *       WARN line says which engine, how long it was silent, what the connection waited for and what happens
 *       next; the connection is closed, and its streams are reopened as a lost connection's are: each is
 *       placed on the next engine of the list (with one engine, the same one), which takes it or redirects it
 *       to its owner, dialled with backoff, round the list while no engine knows the owner, and what the engine
 *       that takes it has not acknowledged is replayed (the engine drops the ids it already has). A stream no
 *       call is busy with is reopened in the background at once.</li>
 *   <li>a connection with nothing outstanding is never probed nor given up, however long its engine is quiet:
 *       a quiet spell starts at the latest of the engine's last frame, the moment the connection began to wait
 *       on it, and its last answer to a probe.</li>
 * </ul>
 * So T must exceed twice the longest time a healthy engine takes to answer a new connection (a GC pause, a
 * swamped machine), and should exceed the longest gap between the frames of an engine that is not holding
 * back (a checkpoint interval and its write, a credit's worth of processing), or such an engine is probed
 * for nothing. 15 s: a probe after 7.5 s of silence, far above both on a sound machine; and with the embedded
 * broker's 6 s session timeout the cluster has moved a frozen engine's partitions by the time it is given
 * up, so its streams resume at their new owners some 15 s after the freeze. Under Kafka's default session
 * timeout (45 s) the give-up comes first: the other engines redirect the streams to the frozen owner until the
 * group moves its partitions, each dial of it waiting for its HELLO (10 s) in vain, and the streams open at the
 * new owner once they are moved. Zero never gives a connection up, as before. An engine that wakes after its
 * connection was given up may refuse one of its streams on a new connection for a moment, until it sees the
 * old connection closed: such refusals are retried (for T, at least 5 s) before the stream counts as taken
 * over. Sinks need none of this: see {@link SinkConnector}, "A silent engine".
 *
 * <h2>Threads</h2>
 * The methods may be called from several threads at once; {@link #acknowledgedPoint} and {@link #close()}
 * from any thread at any time (a call under way on another thread goes on beside a close). A connector that
 * feeds several streams from several threads (one per partition, say) calls them from each; open the streams
 * before the threads start writing. The calls on one stream are serialised, waits included, so its messages
 * keep their order. A call on one stream never waits
 * for a call on another stream that waits for what only that stream needs: an engine to serve it (while it
 * moves, while no engine owns its partition, while its engine cannot be reached), its engine's answer, credit
 * from its engine's connection, room in its own replay buffer, the socket of its engine. Streams served by the
 * same engine share that engine's connection and its credit (credit belongs to a connection, not to a
 * stream), so their calls may wait for each other briefly on what they share. {@link #flush()} waits for no
 * engine: each connection's own thread sends what it buffered, and a stream that was lost while no call on it
 * is under way is reopened in the background. The {@link AcknowledgementListener} is called on the
 * connector's internal reader threads (one per engine connection), one call at a time, each stream's point
 * only going up: it must return quickly and must not call back into this connector.
 */
public final class SourceConnector implements AutoCloseable {

    /** How many sent-but-unacknowledged messages each stream keeps for replay, unless told otherwise. */
    public static final int DEFAULT_REPLAY_CAPACITY = 100_000;
    /** How long {@link #close()} waits for each stream's final acknowledgement. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(SourceConnector.class);

    private final int replayCapacity;
    /**
     * Guards the session, which the reader threads share; every public method holds it, and every wait
     * releases it. A call on a stream first takes that stream's own lock ({@link OpenStream#calls}), which
     * serialises the calls on that stream and no others, and only then this one.
     */
    private final ReentrantLock lock = new ReentrantLock();
    /** The streams, the connections and everything that talks to the engines; guarded by {@link #lock}. */
    private final SourceSession session;

    public SourceConnector(ConnectorSettings settings) {
        this(settings, DEFAULT_REPLAY_CAPACITY, (stream, point) -> { });
    }

    /**
     * @param replayCapacity how many unacknowledged messages per stream are kept for replay; {@code write}
     *                       blocks while a stream holds that many
     * @param listener       told about every acknowledgement, on the reader thread
     */
    public SourceConnector(ConnectorSettings settings, int replayCapacity, AcknowledgementListener listener) {
        if (replayCapacity < 1) {
            throw new IllegalArgumentException("replayCapacity must be at least 1, was " + replayCapacity);
        }
        this.session = new SourceSession(lock, new Dialer(settings, log), settings.engines(), listener,
                settings.engineSilenceTimeout());
        this.replayCapacity = replayCapacity;
    }

    /**
     * Connects and says HELLO, retrying with backoff while the engine cannot be reached. With streams open,
     * makes sure each is open where it is served, one after the other.
     *
     * @throws ConnectorException when the engine refuses the HELLO (wrong cookie or version): retrying
     *                            would not help
     */
    public void connect() {
        List<OpenStream> open;
        lock.lock();
        try {
            open = session.openStreams();
            if (open.isEmpty()) {
                session.connectAny(SourceCall.unbounded(session));
                return;
            }
        } finally {
            lock.unlock();
        }
        for (OpenStream stream : open) {
            if (enter(stream)) {
                try {
                    session.ensureOpen(stream, SourceCall.unbounded(session));
                } finally {
                    leave(stream);
                }
            }
        }
    }

    /**
     * Opens a stream: sends NOTIFY and waits for the engine's NOTIFY_ACK, retrying with backoff while the
     * stream is open elsewhere. Once open, a stream that another connection takes over while this one is
     * away from the engine ends with a {@link StreamTakenOverException} from the next call that needs the
     * engine; open it again to wait as a standby.
     *
     * @return the last point the engine acknowledged on the stream; the connector resumes right after
     *         it. {@link Frame#U64_MAX} means nothing was acknowledged: start from the beginning.
     */
    public long openStream(String name) {
        OpenStream stream = new OpenStream(name, StreamIds.of(name));
        stream.calls.lock(); // nobody else knows the stream yet: no wait
        lock.lock();
        try {
            session.checkNotClosed();
            if (session.stream(name) != null) {
                throw new IllegalStateException("stream '" + name + "' is already open on this connector");
            }
            session.add(stream);
            session.ensureOpen(stream, SourceCall.unbounded(session));
            return stream.resumePoint();
        } catch (RuntimeException e) {
            if (!stream.everAccepted() && session.isCurrent(stream)) {
                session.forget(stream); // never opened: openStream may be called for it again
            }
            throw e;
        } finally {
            leave(stream);
        }
    }

    /** Writes a message without a key. See {@link #write(String, long, byte[], byte[])}. */
    public void write(String streamName, long messageId, byte[] payload) {
        write(streamName, messageId, null, payload);
    }

    /**
     * Writes a message with the next id (one above the last, or above the resume point; 1 on a new
     * stream) on the only open stream, for connectors with one stream and no ids of their own.
     *
     * @return the message id used
     */
    public long write(byte[] payload) {
        while (true) {
            OpenStream stream;
            lock.lock();
            try {
                session.checkNotClosed();
                List<OpenStream> open = session.openStreams();
                if (open.size() != 1) {
                    throw new IllegalStateException("write(payload) needs exactly one open stream, there are "
                            + open.size() + "; name the stream with write(stream, id, payload)");
                }
                stream = open.get(0);
            } finally {
                lock.unlock();
            }
            if (enter(stream)) {
                try {
                    long id = stream.nextId();
                    writeEntered(stream, id, null, payload);
                    return id;
                } finally {
                    leave(stream);
                }
            }
        }
    }

    /**
     * Buffers a message for the engine. Blocks while there is no credit or the replay buffer is full, and
     * reconnects (replaying) when the engine went away.
     *
     * @param messageId must be above the last id written on the stream and above the point
     *                  {@link #openStream} returned
     * @param key       routing key, or {@code null}
     */
    public void write(String streamName, long messageId, byte[] key, byte[] payload) {
        OpenStream stream = enter(streamName);
        try {
            writeEntered(stream, messageId, key, payload);
        } finally {
            leave(stream);
        }
    }

    private void writeEntered(OpenStream stream, long messageId, byte[] key, byte[] payload) {
        session.checkNotClosed();
        long floor = stream.floor();
        if (!Points.isAfter(messageId, floor)) {
            throw new IllegalArgumentException("message id " + Long.toUnsignedString(messageId) + " on stream '"
                    + stream.name() + "' is not above " + Long.toUnsignedString(floor)
                    + ": ids must strictly increase, starting after the point openStream returned");
        }
        SourceCall call = SourceCall.unbounded(session);
        while (stream.unacknowledgedCount() >= replayCapacity) {
            session.awaitAcknowledgements(stream, call);
            session.checkCurrent(stream);
        }
        session.sendWritten(stream, stream.append(messageId, key, payload), call);
    }

    /**
     * Sends everything buffered now: each engine connection's own thread writes it at once, so this waits for
     * no engine. When a stream's session was lost (its engine went away or moved it) and no call on it is
     * under way, it starts reopening the stream and replaying in the background, so a connector that is idle
     * for a while should call this now and then; the stream's next call waits for that reopening, or takes it
     * over.
     *
     * @throws StreamTakenOverException when such a reopening found a stream taken over by another connection
     *                                  (thrown once here; every later call on that stream throws it too)
     */
    public void flush() {
        lock.lock();
        try {
            session.flushAll();
        } finally {
            lock.unlock();
        }
    }

    /** The last point the engine acknowledged on the stream, or {@link Frame#U64_MAX} when none. */
    public long acknowledgedPoint(String streamName) {
        lock.lock();
        try {
            OpenStream stream = session.stream(streamName);
            return stream == null ? Frame.U64_MAX : stream.acknowledgedPoint();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes one stream: waits until everything written on it is acknowledged, sends EOS and waits for the
     * engine's final ACK, all within {@code timeout}.
     *
     * @return true when everything was acknowledged and the EOS answered in time
     */
    public boolean closeStream(String streamName, Duration timeout) {
        OpenStream stream = enter(streamName);
        try {
            return closeEntered(stream, timeout);
        } finally {
            leave(stream);
        }
    }

    private boolean closeEntered(OpenStream stream, Duration timeout) {
        try {
            session.drainAndEnd(stream, System.nanoTime() + timeout.toNanos());
        } catch (ConnectorException e) {
            log.warn("closing stream '{}': {}", stream.name(), e.getMessage());
        }
        session.forget(stream);
        if (!stream.isEosAcknowledged()) {
            log.warn("stream '{}' closed after {} without the engine's final acknowledgement: last written {}, "
                            + "acknowledged {}; the unacknowledged messages are replayed when it is opened again",
                    stream.name(), timeout, Long.toUnsignedString(stream.lastSentId()),
                    Long.toUnsignedString(stream.acknowledgedPoint()));
            return false;
        }
        log.info("stream '{}' closed, acknowledged up to {}", stream.name(),
                Long.toUnsignedString(stream.acknowledgedPoint()));
        return true;
    }

    /** Closes every open stream (see {@link #closeStream}, {@link #DEFAULT_CLOSE_TIMEOUT} each) and the connection. */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    /** Closes every open stream, waiting at most {@code timeout} for each, and the connection. */
    public void close(Duration timeout) {
        lock.lock();
        try {
            if (session.isClosed()) {
                return;
            }
            if (session.hasConnected()) {
                for (OpenStream stream : session.openStreams()) {
                    // Closing one stream may reconnect, which forgets a stream taken over meanwhile: skip it.
                    if (session.isCurrent(stream)) {
                        // A call under way on the stream (another thread's) goes on beside this close, as it
                        // may be stuck; without one, a background reopening gives way to the close.
                        boolean entered = stream.calls.tryLock();
                        try {
                            closeEntered(stream, timeout);
                        } finally {
                            if (entered) {
                                stream.calls.unlock();
                            }
                        }
                    }
                }
            }
            session.markClosed();
        } finally {
            lock.unlock();
        }
        session.closeConnection();
    }

    /**
     * Begins a call on the named stream: takes the stream's own lock (waiting only for the calls on this
     * stream), then the connector's.
     *
     * @throws StreamTakenOverException when another connection took the stream over
     * @throws IllegalStateException    when the stream is not open
     */
    private OpenStream enter(String name) {
        while (true) {
            OpenStream stream;
            lock.lock();
            try {
                session.checkNotClosed();
                stream = session.streamNamed(name);
            } finally {
                lock.unlock();
            }
            if (enter(stream)) {
                return stream;
            }
        }
    }

    /** Takes the stream's lock, then the connector's; false (holding neither) when it was closed or taken over meanwhile. */
    private boolean enter(OpenStream stream) {
        stream.calls.lock();
        lock.lock();
        if (session.isCurrent(stream)) {
            if (stream.isReopening()) {
                session.signalChange(); // the background reopening gives way to this call
            }
            return true;
        }
        lock.unlock();
        stream.calls.unlock();
        return false;
    }

    private void leave(OpenStream stream) {
        lock.unlock();
        stream.calls.unlock();
    }
}
