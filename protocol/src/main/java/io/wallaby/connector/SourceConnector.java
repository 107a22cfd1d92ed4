package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Points;
import io.wallaby.protocol.StreamIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
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
 * <h2>Threads</h2>
 * All methods except {@link #acknowledgedPoint} and {@link #close()} are meant for one thread, the
 * connector's own. The {@link AcknowledgementListener} is called on the connector's internal reader thread:
 * it must return quickly and must not call back into this connector.
 */
public final class SourceConnector implements AutoCloseable {

    /** How many sent-but-unacknowledged messages each stream keeps for replay, unless told otherwise. */
    public static final int DEFAULT_REPLAY_CAPACITY = 100_000;
    /** How long {@link #close()} waits for each stream's final acknowledgement. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(SourceConnector.class);
    private static final long FLUSH_INTERVAL_MILLIS = 5;

    private final int replayCapacity;
    private final AcknowledgementListener listener;
    final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ScheduledExecutorService flusher;
    private volatile boolean unflushed;
    private volatile boolean closed;

    // Session state, guarded by the lock; SourceSessions and SourceFrameHandler work on it.
    final Map<String, SourceStream> streams = new LinkedHashMap<>();
    final Map<Long, SourceStream> streamsById = new LinkedHashMap<>();
    final Backoff backoff = Backoff.standard();
    ConnectorSettings target;
    volatile EngineConnection connection;
    long credits;
    boolean connectedOnce;
    /** System.nanoTime after which reconnecting gives up (only while closing). */
    long giveUpAt = Long.MAX_VALUE;

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
        if (settings.tlsTrust() != null) {
            TlsTrust.socketFactory(settings.tlsTrust()); // ConfigurationException now rather than retries later
        }
        this.target = settings;
        this.replayCapacity = replayCapacity;
        this.listener = listener;
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wallaby-source-flusher");
            t.setDaemon(true);
            return t;
        });
        // Writes only buffer; this bounds how long a message can wait in the buffer.
        flusher.scheduleWithFixedDelay(this::flushIfNeeded, FLUSH_INTERVAL_MILLIS, FLUSH_INTERVAL_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Connects and says HELLO, retrying with backoff while the engine cannot be reached.
     *
     * @throws ConnectorException when the engine refuses the HELLO (wrong cookie or version): retrying
     *                            would not help
     */
    public void connect() {
        lock.lock();
        try {
            SourceSessions.ensureConnected(this);
        } finally {
            lock.unlock();
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
        lock.lock();
        try {
            checkNotClosed();
            if (streams.containsKey(name)) {
                throw new IllegalStateException("stream '" + name + "' is already open on this connector");
            }
            SourceStream stream = new SourceStream(name, StreamIds.of(name));
            streams.put(name, stream);
            streamsById.put(stream.id, stream);
            SourceSessions.ensureConnected(this);
            return stream.resumePoint;
        } finally {
            lock.unlock();
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
        lock.lock();
        try {
            if (streams.size() != 1) {
                throw new IllegalStateException("write(payload) needs exactly one open stream, there are "
                        + streams.size() + "; name the stream with write(stream, id, payload)");
            }
            SourceStream stream = streams.values().iterator().next();
            long last = stream.lastSentId != Frame.U64_MAX ? stream.lastSentId : stream.resumePoint;
            long id = last == Frame.U64_MAX ? 1 : last + 1;
            write(stream.name, id, null, payload);
            return id;
        } finally {
            lock.unlock();
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
        lock.lock();
        try {
            checkNotClosed();
            SourceStream stream = openStreamNamed(streamName);
            long floor = stream.lastSentId != Frame.U64_MAX ? stream.lastSentId : stream.resumePoint;
            if (!Points.isAfter(messageId, floor)) {
                throw new IllegalArgumentException("message id " + Long.toUnsignedString(messageId) + " on stream '"
                        + streamName + "' is not above " + Long.toUnsignedString(floor)
                        + ": ids must strictly increase, starting after the point openStream returned");
            }
            while (stream.unacknowledged.size() >= replayCapacity) {
                // Let the engine see what is buffered so it can acknowledge it and make room.
                flushQuietly();
                if (connection == null) {
                    SourceSessions.ensureConnected(this);
                } else {
                    awaitChange(100);
                }
            }
            Frame.Message message = new Frame.Message(stream.id, messageId, 0L, key, payload);
            stream.unacknowledged.add(message);
            stream.lastSentId = messageId;
            // A reconnect replays the buffer, which now holds this message: then it has been sent.
            while (!SourceSessions.ensureConnected(this) && !sendFrame(message)) {
                log.debug("connection lost while sending; reconnecting");
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends everything buffered now. When the session was lost it first reconnects and replays, so a
     * connector that is idle for a while should call this now and then.
     */
    public void flush() {
        lock.lock();
        try {
            if (connection == null && connectedOnce && !closed) {
                SourceSessions.ensureConnected(this);
            }
        } finally {
            lock.unlock();
        }
        flushQuietly();
    }

    /** The last point the engine acknowledged on the stream, or {@link Frame#U64_MAX} when none. */
    public long acknowledgedPoint(String streamName) {
        lock.lock();
        try {
            SourceStream stream = streams.get(streamName);
            return stream == null ? Frame.U64_MAX : stream.acknowledgedPoint;
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
        lock.lock();
        try {
            SourceStream stream = openStreamNamed(streamName);
            long deadline = System.nanoTime() + timeout.toNanos();
            giveUpAt = deadline;
            try {
                SourceSessions.drainAndEnd(this, stream, deadline);
            } catch (ConnectorException e) {
                log.warn("closing stream '{}': {}", streamName, e.getMessage());
            } finally {
                giveUpAt = Long.MAX_VALUE;
            }
            streams.remove(streamName);
            streamsById.remove(stream.id);
            if (!stream.eosAcknowledged) {
                log.warn("stream '{}' closed after {} without the engine's final acknowledgement: last written {}, "
                                + "acknowledged {}; the unacknowledged messages are replayed when it is opened again",
                        streamName, timeout, Long.toUnsignedString(stream.lastSentId),
                        Long.toUnsignedString(stream.acknowledgedPoint));
                return false;
            }
            log.info("stream '{}' closed, acknowledged up to {}", streamName,
                    Long.toUnsignedString(stream.acknowledgedPoint));
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Drops a stream that another connection took over. With the lock held. */
    void forget(SourceStream stream) {
        streams.remove(stream.name);
        streamsById.remove(stream.id);
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
            if (closed) {
                return;
            }
            if (connectedOnce) {
                for (String name : List.copyOf(streams.keySet())) {
                    closeStream(name, timeout);
                }
            }
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        flusher.shutdownNow();
        EngineConnection current = connection;
        if (current != null) {
            flushQuietly();
            current.close();
        }
    }

    // ---- runtime ----

    /** Sends one frame, spending a credit; false when the session broke while waiting for credit. */
    boolean sendFrame(Frame frame) {
        EngineConnection current = connection;
        while (credits == 0) {
            if (connection != current || current == null) {
                return false;
            }
            flushQuietly(); // the engine refills credits only for what it has received
            awaitChange(100);
        }
        if (connection != current || current == null) {
            return false;
        }
        try {
            current.send(frame);
            credits--;
            unflushed = true;
            return true;
        } catch (IOException e) {
            log.warn("sending to the engine failed ({}); reconnecting", e.getMessage());
            dropConnection(current);
            return false;
        }
    }

    // ---- called by the reader thread (SourceFrameHandler) and the handshake ----

    AcknowledgementListener listener() {
        return listener;
    }

    void signalChange() {
        changed.signalAll();
    }

    /** The session ended (called with the lock held): the next call reconnects. */
    void dropConnection(EngineConnection ended) {
        if (connection == ended) {
            connection = null;
            ended.close();
            changed.signalAll();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Waits on the lock's condition (releasing it) for at most {@code millis}. */
    void awaitChange(long millis) {
        try {
            changed.await(Math.max(1, millis), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectorException("interrupted while waiting for the engine", e);
        }
    }

    void sleepUnlocked(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!closed && System.nanoTime() < deadline) {
            awaitChange(remainingMillis(deadline));
        }
    }

    void flushQuietly() {
        EngineConnection current = connection;
        if (current == null) {
            return;
        }
        try {
            unflushed = false;
            current.flush();
        } catch (IOException e) {
            log.debug("flush failed; the reader thread reconnects", e);
        }
    }

    private void flushIfNeeded() {
        if (unflushed) {
            flushQuietly();
        }
    }

    private SourceStream openStreamNamed(String name) {
        SourceStream stream = streams.get(name);
        if (stream == null) {
            throw new IllegalStateException("stream '" + name + "' is not open; call openStream(\"" + name
                    + "\") first");
        }
        return stream;
    }

    void checkNotClosed() {
        if (closed) {
            throw new ConnectorException("this source connector is closed");
        }
    }

    static long remainingMillis(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }
}
