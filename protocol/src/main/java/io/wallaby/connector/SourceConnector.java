package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Points;
import io.wallaby.protocol.StreamIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * full. When the engine goes away, refuses the session or asks for a RESTART, the next call reconnects with
 * backoff (100 ms doubling to 5 s), opens every stream again and re-sends, with their ids, the buffered
 * messages above the point the engine acknowledges. The engine drops ids it has already seen, so nothing
 * is doubled.
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
 * <h2>Threads</h2>
 * All methods except {@link #acknowledgedPoint} and {@link #close()} are meant for the connector's own
 * thread. A connector that feeds several streams from several threads (one per partition, say) may call
 * them from each: the calls are serialised, so one thread's {@code write} that waits for credit, room in
 * its replay buffer or an engine to serve its stream holds the others' calls back until it returns (credit
 * belongs to a connection, not to a stream). Open the streams before the threads start writing. The
 * {@link AcknowledgementListener} is called on the connector's internal reader threads (one per engine
 * connection), one call at a time, each stream's point only going up: it must return quickly and must not
 * call back into this connector.
 */
public final class SourceConnector implements AutoCloseable {

    /** How many sent-but-unacknowledged messages each stream keeps for replay, unless told otherwise. */
    public static final int DEFAULT_REPLAY_CAPACITY = 100_000;
    /** How long {@link #close()} waits for each stream's final acknowledgement. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(SourceConnector.class);
    private static final long FLUSH_INTERVAL_MILLIS = 5;

    private final int replayCapacity;
    /** Guards the session, which the reader thread shares; every public method holds it (waits release it). */
    private final ReentrantLock lock = new ReentrantLock();
    /**
     * Serialises the callers' threads for a whole call: {@link #lock} alone does not, since waits release it.
     * Always taken before {@link #lock}, never while holding it; {@link #close()} and the reader thread do not
     * take it.
     */
    private final ReentrantLock calls = new ReentrantLock();
    /** The streams, the connection and everything that talks to the engine; guarded by {@link #lock}. */
    private final SourceSession session;
    private final ScheduledExecutorService flusher;

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
        this.session = new SourceSession(lock, new Dialer(settings, log), settings.engines(), listener);
        this.replayCapacity = replayCapacity;
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wallaby-source-flusher");
            t.setDaemon(true);
            return t;
        });
        // Writes only buffer; this bounds how long a message can wait in the buffer.
        flusher.scheduleWithFixedDelay(session::flushIfNeeded, FLUSH_INTERVAL_MILLIS, FLUSH_INTERVAL_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Connects and says HELLO, retrying with backoff while the engine cannot be reached.
     *
     * @throws ConnectorException when the engine refuses the HELLO (wrong cookie or version): retrying
     *                            would not help
     */
    public void connect() {
        calls.lock();
        lock.lock();
        try {
            session.ensureConnected();
        } finally {
            lock.unlock();
            calls.unlock();
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
        calls.lock();
        lock.lock();
        try {
            session.checkNotClosed();
            if (session.stream(name) != null) {
                throw new IllegalStateException("stream '" + name + "' is already open on this connector");
            }
            OpenStream stream = new OpenStream(name, StreamIds.of(name));
            session.add(stream);
            session.ensureOpen(stream);
            return stream.resumePoint();
        } finally {
            lock.unlock();
            calls.unlock();
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
        calls.lock();
        lock.lock();
        try {
            List<OpenStream> open = session.openStreams();
            if (open.size() != 1) {
                throw new IllegalStateException("write(payload) needs exactly one open stream, there are "
                        + open.size() + "; name the stream with write(stream, id, payload)");
            }
            OpenStream stream = open.get(0);
            long id = stream.nextId();
            write(stream.name(), id, null, payload);
            return id;
        } finally {
            lock.unlock();
            calls.unlock();
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
        calls.lock();
        lock.lock();
        try {
            session.checkNotClosed();
            OpenStream stream = openStreamNamed(streamName);
            long floor = stream.floor();
            if (!Points.isAfter(messageId, floor)) {
                throw new IllegalArgumentException("message id " + Long.toUnsignedString(messageId) + " on stream '"
                        + streamName + "' is not above " + Long.toUnsignedString(floor)
                        + ": ids must strictly increase, starting after the point openStream returned");
            }
            while (stream.unacknowledgedCount() >= replayCapacity) {
                session.awaitAcknowledgements(stream);
            }
            session.sendWritten(stream, stream.append(messageId, key, payload));
        } finally {
            lock.unlock();
            calls.unlock();
        }
    }

    /**
     * Sends everything buffered now. When the session was lost it first reconnects and replays, so a
     * connector that is idle for a while should call this now and then.
     */
    public void flush() {
        calls.lock();
        try {
            lock.lock();
            try {
                session.reconnectIfLost();
            } finally {
                lock.unlock();
            }
            session.flush();
        } finally {
            calls.unlock();
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
        calls.lock();
        try {
            return closeStreamAlone(streamName, timeout);
        } finally {
            calls.unlock();
        }
    }

    private boolean closeStreamAlone(String streamName, Duration timeout) {
        lock.lock();
        try {
            OpenStream stream = openStreamNamed(streamName);
            try {
                session.drainAndEnd(stream, System.nanoTime() + timeout.toNanos());
            } catch (ConnectorException e) {
                log.warn("closing stream '{}': {}", streamName, e.getMessage());
            }
            session.forget(stream);
            if (!stream.isEosAcknowledged()) {
                log.warn("stream '{}' closed after {} without the engine's final acknowledgement: last written {}, "
                                + "acknowledged {}; the unacknowledged messages are replayed when it is opened again",
                        streamName, timeout, Long.toUnsignedString(stream.lastSentId()),
                        Long.toUnsignedString(stream.acknowledgedPoint()));
                return false;
            }
            log.info("stream '{}' closed, acknowledged up to {}", streamName,
                    Long.toUnsignedString(stream.acknowledgedPoint()));
            return true;
        } finally {
            lock.unlock();
        }
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
                    if (session.stream(stream.name()) == stream) {
                        closeStreamAlone(stream.name(), timeout);
                    }
                }
            }
            session.markClosed();
        } finally {
            lock.unlock();
        }
        flusher.shutdownNow();
        session.closeConnection();
    }

    private OpenStream openStreamNamed(String name) {
        OpenStream stream = session.stream(name);
        if (stream == null) {
            throw new IllegalStateException("stream '" + name + "' is not open; call openStream(\"" + name
                    + "\") first");
        }
        return stream;
    }
}
