package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link SourceConnector}'s session with the engine, across reconnections: the streams it has open, the
 * current {@link SourceConnection}, and whether the connector is closed. It dials through the
 * {@link Dialer}; on each new connection it opens every stream again (NOTIFY; while the stream is open
 * elsewhere it waits as a standby, or, when it had the stream before, ends with
 * {@link StreamTakenOverException}) and replays what the engine has not acknowledged. Guarded by the
 * connector's lock: the connector's thread calls in holding it, the connection's reader thread takes it;
 * only {@link #flush()}, {@link #flushIfNeeded()} and {@link #closeConnection()} run without it.
 */
final class SourceSession {

    private static final Logger log = LoggerFactory.getLogger(SourceConnector.class);

    private final ReentrantLock lock;
    /** Signalled on anything a waiting caller may be waiting for: credit, an answer, an ack, an end, close. */
    private final Condition changed;
    private final Dialer dialer;
    private final Map<String, OpenStream> streams = new LinkedHashMap<>();
    private final Map<Long, OpenStream> streamsById = new LinkedHashMap<>();
    private final AcknowledgementListener listener;
    /** The last connection dialled, live or ended; null before the first. Read without the lock by the flusher. */
    private volatile SourceConnection current;
    private volatile boolean closed;
    /** System.nanoTime after which reconnecting gives up (only while closing a stream). */
    private long giveUpAt = Long.MAX_VALUE;

    private final Dialer.Side dialling = new Dialer.Side() {
        @Override
        public void checkWanted() {
            checkTime();
        }

        @Override
        public EngineConnection unlocked(Dialer.Attempt attempt) throws IOException {
            lock.unlock(); // dialling can take seconds; reader threads and close() must not wait for it
            try {
                return attempt.open();
            } finally {
                lock.lock();
            }
        }

        @Override
        public void pause(long millis) {
            sleepUnlocked(millis);
        }
    };

    SourceSession(ReentrantLock lock, Dialer dialer, AcknowledgementListener listener) {
        this.lock = lock;
        this.changed = lock.newCondition();
        this.dialer = dialer;
        this.listener = listener;
    }

    // ---- the open streams ----

    /** The open stream of that name, or null. */
    OpenStream stream(String name) {
        return streams.get(name);
    }

    void add(OpenStream stream) {
        streams.put(stream.name(), stream);
        streamsById.put(stream.id(), stream);
    }

    /** Drops a stream that was closed or taken over. */
    void forget(OpenStream stream) {
        streams.remove(stream.name());
        streamsById.remove(stream.id());
        if (current != null) {
            current.forget(stream);
        }
    }

    List<OpenStream> openStreams() {
        return List.copyOf(streams.values());
    }

    // ---- for the connection's reader thread ----

    /** The open stream with that id, or null. */
    OpenStream streamWithId(long id) {
        return streamsById.get(id);
    }

    /** Wakes whoever waits for credit, an answer, an acknowledgement or the end of a connection. */
    void signalChange() {
        changed.signalAll();
    }

    /** A RESTART: the next dial goes to {@code address} (see {@link Dialer#restartAt}). */
    void restartAt(String address) {
        dialer.restartAt(address);
    }

    /** Passes an acknowledgement on to the connector's listener, on the reader thread, without the lock. */
    void tellListener(String stream, long point) {
        listener.onAcknowledged(stream, point);
    }

    // ---- connecting and sending ----

    /**
     * Makes sure there is a connection on which every open stream has been accepted.
     *
     * @return true when it had to (re)connect or open a stream, which re-sent every unacknowledged message
     */
    boolean ensureConnected() {
        SourceConnection live = live();
        if (live != null && live.hasAcceptedAll(streams.values())) {
            return false; // the common case, on every write: nothing to do
        }
        boolean replayed = false;
        while (true) {
            checkTime();
            if (live() == null) {
                connect();
                replayed = true;
            }
            SourceConnection on = current;
            boolean allAccepted = true;
            for (OpenStream stream : openStreams()) {
                if (!on.hasAccepted(stream)) {
                    replayed = true;
                    if (!open(stream, on)) {
                        allAccepted = false;
                        break;
                    }
                }
            }
            if (allAccepted && on.isLive()) {
                return replayed;
            }
        }
    }

    /** Reconnects (replaying) when the connection was lost after having been up; for an idle connector's flush. */
    void reconnectIfLost() {
        if (live() == null && dialer.hasConnected() && !closed) {
            ensureConnected();
        }
    }

    boolean hasConnected() {
        return dialer.hasConnected();
    }

    /** Sends a message that was just put in its stream's replay buffer. */
    void sendWritten(Frame.Message message) {
        // A reconnect replays the buffer, which now holds this message: then it has been sent.
        while (!ensureConnected() && !sendFrame(message)) {
            log.debug("connection lost while sending; reconnecting");
        }
    }

    /** Waits a little for acknowledgements that empty replay buffers, after letting the engine see what is buffered. */
    void awaitAcknowledgements() {
        flush();
        if (live() == null) {
            ensureConnected();
        } else {
            awaitChange(100);
        }
    }

    /**
     * Waits until everything written on the stream is acknowledged, then sends EOS and waits for its ACK;
     * gives up at {@code deadline} (System.nanoTime), also on reconnecting.
     */
    void drainAndEnd(OpenStream stream, long deadline) {
        giveUpAt = deadline;
        try {
            flush();
            while (!stream.fullyAcknowledged() && !closed && System.nanoTime() < deadline) {
                if (live() == null) {
                    ensureConnected();
                } else {
                    flush();
                    awaitChange(Math.min(100, remainingMillis(deadline)));
                }
            }
            boolean complete = stream.fullyAcknowledged();
            while (complete && !stream.isEosAcknowledged() && !closed && System.nanoTime() < deadline) {
                if (live() == null || !current.hasAccepted(stream)) {
                    ensureConnected(); // a new connection has sent no EOS: the next one goes out there
                }
                if (!current.sentEos(stream)) {
                    if (!sendFrame(new Frame.Eos(stream.id()))) {
                        continue;
                    }
                    current.eosSent(stream);
                    flush();
                }
                awaitChange(Math.min(100, remainingMillis(deadline)));
            }
        } finally {
            giveUpAt = Long.MAX_VALUE;
        }
    }

    private void connect() {
        SourceConnection opened = new SourceConnection(dialer.dial(dialling), lock, this);
        current = opened;
        ConnectorSettings at = dialer.target();
        log.info("connected to the engine at {}:{} as {} ({} credits)", at.engineHost(), at.enginePort(),
                at.instanceName(), opened.credits());
        opened.start();
    }

    /** The current connection while it lasts; null when there is none or it ended. */
    private SourceConnection live() {
        SourceConnection on = current;
        return on != null && on.isLive() ? on : null;
    }

    /**
     * NOTIFY, wait for NOTIFY_ACK (retrying with backoff while the stream is open elsewhere), then replay.
     *
     * @return false when the connection broke on the way
     */
    private boolean open(OpenStream stream, SourceConnection on) {
        Backoff standby = Backoff.standard();
        while (true) {
            on.clearAnswer(stream);
            if (!sendFrame(stream.notifyFrame())) {
                return false;
            }
            flush();
            Frame.NotifyAck answer;
            while ((answer = on.takeAnswer(stream)) == null) {
                if (!on.isLive()) {
                    return false;
                }
                awaitChange(100);
            }
            if (answer.success()) {
                on.accepted(stream);
                stream.accepted(answer.pointOfReference());
                return replay(stream);
            }
            if (stream.everAccepted()) {
                // Waiting here as a standby would keep what this instance reads from (a replication slot)
                // away from the instance the engine now takes the stream from: both would wait forever.
                forget(stream);
                throw new StreamTakenOverException(stream.name(), stream.unacknowledgedCount());
            }
            log.info("stream '{}' is open on another connection (another instance?); this one waits as a standby "
                    + "and retries in {} ms", stream.name(), standby.nextDelayMillis());
            sleepUnlocked(standby.next());
            checkTime();
            if (!on.isLive()) {
                return false;
            }
        }
    }

    private boolean replay(OpenStream stream) {
        for (Frame.Message message : stream.toReplay()) {
            if (!sendFrame(message)) {
                return false;
            }
        }
        flush();
        return true;
    }

    /** Sends one frame, spending a credit; false when the connection broke, also while waiting for credit. */
    private boolean sendFrame(Frame frame) {
        SourceConnection on = live();
        if (on == null) {
            return false;
        }
        while (!on.hasCredit()) {
            if (!on.isLive()) {
                return false;
            }
            on.flush(); // the engine refills credits only for what it has received
            awaitChange(100);
        }
        return on.send(frame);
    }

    /** Sends what is buffered on the current connection. Without the lock too: the flusher thread calls it. */
    void flush() {
        SourceConnection on = live();
        if (on != null) {
            on.flush();
        }
    }

    /** For the flusher thread: sends what is buffered, if anything. */
    void flushIfNeeded() {
        SourceConnection on = live();
        if (on != null) {
            on.flushIfNeeded();
        }
    }

    // ---- closing ----

    boolean isClosed() {
        return closed;
    }

    void checkNotClosed() {
        if (closed) {
            throw new ConnectorException("this source connector is closed");
        }
    }

    /** From now on every wait ends and every call that needs the engine fails. With the lock held. */
    void markClosed() {
        closed = true;
        changed.signalAll();
    }

    /** After {@link #markClosed()}, without the lock: sends what is buffered and closes the connection. */
    void closeConnection() {
        SourceConnection on = live();
        if (on != null) {
            on.flush();
            on.close();
        }
    }

    private void checkTime() {
        checkNotClosed();
        if (System.nanoTime() - giveUpAt > 0) {
            ConnectorSettings target = dialer.target();
            throw new ConnectorException("gave up reaching the engine at " + target.engineHost() + ":"
                    + target.enginePort() + " before the close timeout");
        }
    }

    // ---- waiting ----

    /** Waits on the lock's condition (releasing the lock) for at most {@code millis}. */
    private void awaitChange(long millis) {
        try {
            changed.await(Math.max(1, millis), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectorException("interrupted while waiting for the engine", e);
        }
    }

    /** Waits {@code millis} without the lock, or until the connector is closed. */
    private void sleepUnlocked(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!closed && System.nanoTime() < deadline) {
            awaitChange(remainingMillis(deadline));
        }
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }
}
