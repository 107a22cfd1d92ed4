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
 * A {@link SourceConnector}'s session with the engines, across reconnections: the streams it has open,
 * which engine serves each and the connection to each engine ({@link EngineRoutes}), and whether the
 * connector is closed. When a stream's engine connection is new, it opens every stream placed on that
 * engine (NOTIFY; while a stream is open elsewhere it waits as a standby, or, when it had the stream
 * before, ends with {@link StreamTakenOverException}; an engine that does not own a stream redirects it)
 * and replays what the engine has not acknowledged. Guarded by the connector's lock: the connector's
 * thread calls in holding it, the connections' reader threads take it; only {@link #flush()},
 * {@link #flushIfNeeded()} and {@link #closeConnection()} run without it.
 */
final class SourceSession {

    private static final Logger log = LoggerFactory.getLogger(SourceConnector.class);

    private final ReentrantLock lock;
    /** Signalled on anything a waiting caller may be waiting for: credit, an answer, an ack, an end, close. */
    private final Condition changed;
    private final Dialer dialer;
    private final EngineRoutes routes;
    private final Map<String, OpenStream> streams = new LinkedHashMap<>();
    private final Map<Long, OpenStream> streamsById = new LinkedHashMap<>();
    private final OrderedAcknowledgements acknowledgements;
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

    /** @param engines the engines to dial, the first one first: where streams are opened first */
    SourceSession(ReentrantLock lock, Dialer dialer, List<EngineAddress> engines, AcknowledgementListener listener) {
        this.lock = lock;
        this.changed = lock.newCondition();
        this.dialer = dialer;
        this.routes = new EngineRoutes(dialer, engines,
                (link, engine) -> new SourceConnection(link, engine, lock, this));
        this.acknowledgements = new OrderedAcknowledgements(listener);
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
        routes.forget(stream);
    }

    List<OpenStream> openStreams() {
        return List.copyOf(streams.values());
    }

    // ---- for the connections' reader threads ----

    /** The open stream with that id, or null. */
    OpenStream streamWithId(long id) {
        return streamsById.get(id);
    }

    /** Wakes whoever waits for credit, an answer, an acknowledgement or the end of a connection. */
    void signalChange() {
        changed.signalAll();
    }

    /** A RESTART on its own from {@code from}'s engine: its streams reconnect to the address, if it is one. */
    void restartAt(SourceConnection from, String address) {
        dialer.restartAddress(address).ifPresent(to -> {
            routes.restartAt(from, to);
            log.info("the engine at {} asked for a restart at {}; reconnecting there", from.engine(), to);
        });
    }

    /** The engine of {@code from} no longer serves the stream, open there (a RESTART and NOTIFY_ACK(false)). */
    void movedAway(OpenStream stream, SourceConnection from, String address) {
        routes.redirect(stream, from, address, true);
    }

    /** Passes an acknowledgement on to the connector's listener, on a reader thread, without the lock. */
    void tellListener(OpenStream stream, long point) {
        acknowledgements.tell(stream, point);
    }

    // ---- connecting and sending ----

    /** Makes sure every open stream is open on its engine; with no stream, that some engine is connected. */
    void ensureConnected() {
        if (streams.isEmpty()) {
            routes.connectAny(dialling);
            return;
        }
        for (OpenStream stream : openStreams()) {
            if (streams.get(stream.name()) == stream) { // not forgotten (taken over) meanwhile
                ensureOpen(stream);
            }
        }
    }

    /**
     * Makes sure the stream is open on a live connection to the engine that serves it, following redirects.
     *
     * @return true when it had to (re)connect or (re)open it, which re-sent its unacknowledged messages
     */
    boolean ensureOpen(OpenStream stream) {
        if (routes.isOpen(stream)) {
            return false; // the common case, on every write: nothing to do
        }
        Backoff unserved = Backoff.standard();
        int redirects = 0;
        while (true) {
            checkTime();
            // Ask again after a backoff (at the next engine of the list) when no engine knows the owner; and
            // after the first redirect, as engines that send a stream to and fro must not make us spin.
            if (routes.isUnplaced(stream) || redirects > 1) {
                sleepUnlocked(unserved.next());
                checkTime();
            }
            SourceConnection on = routes.connect(stream, dialling);
            if (on == null) {
                continue; // could not reach it: the next engine of the list is asked
            }
            openPlacedStreams(on);
            if (routes.isOpen(stream)) {
                return true;
            }
            if (on.isLive()) {
                redirects++; // the engine redirected it (else the connection broke: dial again)
            }
        }
    }

    /** NOTIFY (and replay) every stream placed on {@code on}'s engine and not open there, in the order opened. */
    private void openPlacedStreams(SourceConnection on) {
        for (OpenStream stream : openStreams()) {
            if (streams.get(stream.name()) == stream && routes.isPlacedOn(stream, on) && !on.hasAccepted(stream)
                    && !open(stream, on)) {
                return; // the connection broke
            }
        }
    }

    /** Reconnects (replaying) what was lost or moved after having been connected; for an idle connector's flush. */
    void reconnectIfLost() {
        if (routes.hasConnected() && !closed) {
            for (OpenStream stream : openStreams()) {
                if (streams.get(stream.name()) == stream && !routes.isOpen(stream)) {
                    ensureOpen(stream);
                }
            }
        }
    }

    boolean hasConnected() {
        return routes.hasConnected();
    }

    /** Sends a message that was just put in its stream's replay buffer. */
    void sendWritten(OpenStream stream, Frame.Message message) {
        // A reopening replays the buffer, which now holds this message: then it has been sent.
        while (!ensureOpen(stream) && !send(routes.liveFor(stream), message, stream)) {
            log.debug("connection lost or stream moved while sending; reopening");
        }
    }

    /** Waits a little for acknowledgements that empty the stream's replay buffer, after letting the engine see what is buffered. */
    void awaitAcknowledgements(OpenStream stream) {
        flush();
        if (!routes.isOpen(stream)) {
            ensureOpen(stream);
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
                if (!routes.isOpen(stream)) {
                    ensureOpen(stream);
                } else {
                    flush();
                    awaitChange(Math.min(100, remainingMillis(deadline)));
                }
            }
            boolean complete = stream.fullyAcknowledged();
            while (complete && !stream.isEosAcknowledged() && !closed && System.nanoTime() < deadline) {
                ensureOpen(stream); // a new connection (or engine) has sent no EOS: the next one goes out there
                SourceConnection on = routes.liveFor(stream);
                if (!on.sentEos(stream)) {
                    if (!send(on, new Frame.Eos(stream.id()), stream)) {
                        continue;
                    }
                    on.eosSent(stream);
                    flush();
                }
                awaitChange(Math.min(100, remainingMillis(deadline)));
            }
        } finally {
            giveUpAt = Long.MAX_VALUE;
        }
    }

    /**
     * NOTIFY, wait for NOTIFY_ACK (retrying with backoff while the stream is open elsewhere), then replay; or
     * place the stream where the engine redirects it.
     *
     * @return false when the connection broke on the way
     */
    private boolean open(OpenStream stream, SourceConnection on) {
        Backoff standby = Backoff.standard();
        while (true) {
            on.clearAnswer(stream);
            if (!send(on, stream.notifyFrame(), null)) {
                return false;
            }
            on.flush();
            SourceConnection.Answer answer;
            while ((answer = on.takeAnswer(stream)) == null) {
                if (!on.isLive()) {
                    return false;
                }
                awaitChange(100);
            }
            if (answer.redirect() != null) {
                routes.redirect(stream, on, answer.redirect(), false);
                return true;
            }
            if (answer.success()) {
                on.accepted(stream);
                stream.accepted(answer.point(), on.engine());
                return replay(stream, on);
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

    private boolean replay(OpenStream stream, SourceConnection on) {
        for (Frame.Message message : stream.toReplay()) {
            if (!send(on, message, null)) {
                return false;
            }
        }
        on.flush();
        return true;
    }

    /**
     * Sends one frame on {@code on}, spending a credit; false when the connection broke, also while waiting
     * for credit, or (when {@code stream} is given) when the stream is no longer open there.
     */
    private boolean send(SourceConnection on, Frame frame, OpenStream stream) {
        while (on != null && on.isLive() && (stream == null || on.hasAccepted(stream))) {
            if (on.hasCredit()) {
                return on.send(frame);
            }
            on.flush(); // the engine refills credits only for what it has received
            awaitChange(100);
        }
        return false;
    }

    /** Sends what is buffered on every connection. Without the lock too: the flusher thread calls it. */
    void flush() {
        for (SourceConnection on : routes.connections()) {
            on.flush();
        }
    }

    /** For the flusher thread: sends what is buffered, if anything. */
    void flushIfNeeded() {
        for (SourceConnection on : routes.connections()) {
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

    /** After {@link #markClosed()}, without the lock: sends what is buffered and closes the connections. */
    void closeConnection() {
        for (SourceConnection on : routes.connections()) {
            on.flush();
            on.close();
        }
    }

    private void checkTime() {
        checkNotClosed();
        if (System.nanoTime() - giveUpAt > 0) {
            throw new ConnectorException("gave up reaching the engine at " + routes.describe()
                    + " before the close timeout");
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
