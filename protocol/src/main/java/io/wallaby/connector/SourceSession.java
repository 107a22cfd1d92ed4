package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link SourceConnector}'s session with the engines, across reconnections: the streams it has open (and
 * those taken over from it), which engine serves each and the connection to each engine
 * ({@link EngineRoutes}), and whether the connector is closed. A call that needs its stream open where it
 * is served has the {@link StreamOpener} open it there (NOTIFY and replay); frames go out with a credit of
 * their connection, waiting for one when there is none. Lost streams no call is busy with are reopened by
 * its {@link BackgroundReopener}; its {@link SilenceWatch} gives up a connection whose engine stays silent
 * while the connection waits on it (see {@link SourceConnector}, "A silent engine").
 * Guarded by the connector's lock: the callers' threads call in holding it, the connections' reader threads,
 * the background reopenings and the silence watch take it; every wait releases it, and what a call waits for
 * is its own stream's or its own engine's.
 */
final class SourceSession {

    private static final Logger log = LoggerFactory.getLogger(SourceConnector.class);

    private final ReentrantLock lock;
    /** Signalled on anything a waiting call may be waiting for: credit, an answer, an ack, an end, a dial, close. */
    private final Condition changed;
    private final Dialer dialer;
    private final EngineRoutes routes;
    private final StreamOpener opener;
    private final Map<String, OpenStream> streams = new LinkedHashMap<>();
    private final Map<Long, OpenStream> streamsById = new LinkedHashMap<>();
    /** Streams taken over by another connection, and how many messages each dropped, until opened again. */
    private final Map<String, Integer> takenOver = new HashMap<>();
    private final OrderedAcknowledgements acknowledgements;
    private final BackgroundReopener reopener;
    private final SilenceWatch silence;
    private volatile boolean closed;

    /**
     * @param engines        the engines to dial, the first one first: where streams are opened first
     * @param silenceTimeout see {@link ConnectorSettings#engineSilenceTimeout()}; zero: never give a connection up
     */
    SourceSession(ReentrantLock lock, Dialer dialer, List<EngineAddress> engines, AcknowledgementListener listener,
                  Duration silenceTimeout) {
        this.lock = lock;
        this.changed = lock.newCondition();
        this.dialer = dialer;
        this.routes = new EngineRoutes(dialer, engines, (link, engine) -> {
            startWatch();
            return new SourceConnection(link, engine, lock, this);
        });
        this.opener = new StreamOpener(this, routes);
        this.acknowledgements = new OrderedAcknowledgements(listener);
        this.reopener = new BackgroundReopener(lock, this);
        this.silence = new SilenceWatch(lock, routes, this, reopener, silenceTimeout);
    }

    ReentrantLock lock() {
        return lock;
    }

    Condition changed() {
        return changed;
    }

    // ---- the open streams ----

    /** The open stream of that name, or null. */
    OpenStream stream(String name) {
        return streams.get(name);
    }

    /**
     * The open stream of that name.
     *
     * @throws StreamTakenOverException when another connection took it over (until it is opened again)
     * @throws IllegalStateException    when it is not open
     */
    OpenStream streamNamed(String name) {
        OpenStream stream = streams.get(name);
        if (stream != null) {
            return stream;
        }
        Integer dropped = takenOver.get(name);
        if (dropped != null) {
            throw new StreamTakenOverException(name, dropped);
        }
        throw new IllegalStateException("stream '" + name + "' is not open; call openStream(\"" + name
                + "\") first");
    }

    /** The stream is still open: not closed, nor taken over (an OpenStream is never open twice). */
    boolean isCurrent(OpenStream stream) {
        return streams.get(stream.name()) == stream;
    }

    /** Throws when the stream, which a call was waiting for, was closed or taken over meanwhile. */
    void checkCurrent(OpenStream stream) {
        if (!isCurrent(stream)) {
            checkNotClosed();
            Integer dropped = takenOver.get(stream.name());
            if (dropped != null) {
                throw new StreamTakenOverException(stream.name(), dropped);
            }
            throw new ConnectorException("stream '" + stream.name() + "' was closed meanwhile");
        }
    }

    void add(OpenStream stream) {
        takenOver.remove(stream.name());
        streams.put(stream.name(), stream);
        streamsById.put(stream.id(), stream);
    }

    /** Drops a stream that was closed or taken over. */
    void forget(OpenStream stream) {
        if (isCurrent(stream)) {
            streams.remove(stream.name());
            streamsById.remove(stream.id());
        }
        routes.forget(stream);
        changed.signalAll();
    }

    /** Forgets a stream another connection took over, and says so to whoever calls on it next. */
    StreamTakenOverException takenOver(OpenStream stream) {
        forget(stream);
        takenOver.put(stream.name(), stream.unacknowledgedCount());
        return new StreamTakenOverException(stream.name(), stream.unacknowledgedCount());
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

    /** With no stream open: makes sure that some engine is connected. */
    void connectAny(SourceCall call) {
        routes.connectAny(call);
    }

    /** See {@link StreamOpener#ensureOpen}. */
    boolean ensureOpen(OpenStream stream, SourceCall call) {
        return opener.ensureOpen(stream, call);
    }

    boolean hasConnected() {
        return routes.hasConnected();
    }

    /** Sends a message that was just put in its stream's replay buffer. */
    void sendWritten(OpenStream stream, Frame.Message message, SourceCall call) {
        // A reopening by this call replays the buffer, which now holds this message: then it has been sent.
        while (!ensureOpen(stream, call) && !send(routes.liveFor(stream), message, stream, call)) {
            log.debug("connection lost or stream moved while sending; reopening");
        }
    }

    /** Waits a little for acknowledgements that empty the stream's replay buffer, after letting its engine see what is buffered. */
    void awaitAcknowledgements(OpenStream stream, SourceCall call) {
        if (!routes.isOpen(stream)) {
            ensureOpen(stream, call);
        } else {
            routes.liveFor(stream).requestFlush();
            call.await(100);
        }
    }

    /**
     * Waits until everything written on the stream is acknowledged, then sends EOS and waits for its ACK;
     * gives up at the call's deadline, also on reconnecting.
     */
    void drainAndEnd(OpenStream stream, long deadline) {
        SourceCall call = SourceCall.until(this, deadline);
        while (!stream.fullyAcknowledged() && !closed && System.nanoTime() - deadline < 0) {
            if (!routes.isOpen(stream)) {
                ensureOpen(stream, call);
            } else {
                routes.liveFor(stream).requestFlush();
                call.await(Math.min(100, SourceCall.remainingMillis(deadline)));
            }
        }
        boolean complete = stream.fullyAcknowledged();
        while (complete && !stream.isEosAcknowledged() && !closed && System.nanoTime() - deadline < 0) {
            ensureOpen(stream, call); // a new connection (or engine) has sent no EOS: the next one goes out there
            SourceConnection on = routes.liveFor(stream);
            if (!on.streams().sentEos(stream)) {
                on.streams().eosSent(stream); // before it goes: the final ACK may come back before the send returns
                if (!send(on, new Frame.Eos(stream.id()), stream, call)) {
                    on.streams().forgetEos(stream);
                    continue;
                }
                on.requestFlush();
            }
            call.await(Math.min(100, SourceCall.remainingMillis(deadline)));
        }
    }

    /**
     * Sends one frame on {@code on}, spending a credit; false when the connection broke, also while waiting
     * for credit, or (when {@code stream} is given) when the stream is no longer open there, or is being
     * reopened (its replay goes first).
     */
    boolean send(SourceConnection on, Frame frame, OpenStream stream, SourceCall call) {
        while (on != null && on.isLive()
                && (stream == null || on.streams().hasAccepted(stream) && !stream.isOpening())) {
            if (!on.hasCredit()) {
                on.requestFlush(); // the engine refills credits only for what it has received
                call.await(100);
                continue;
            }
            SourceConnection.Sent sent = on.send(frame);
            if (sent != SourceConnection.Sent.AGAIN) {
                return sent == SourceConnection.Sent.SENT;
            }
        }
        return false;
    }

    // ---- flushing ----

    /**
     * For {@code flush()}: has every connection send what it buffered, starts reopening in the background the
     * streams that were lost and that no call is busy with, and throws what such a reopening found: a stream
     * taken over.
     */
    void flushAll() {
        if (routes.hasConnected() && !closed) {
            for (OpenStream stream : openStreams()) {
                if (!routes.isOpen(stream) && !stream.hasCallUnderWay() && !stream.isReopening()) {
                    reopener.reopenInBackground(stream);
                }
            }
        }
        for (SourceConnection on : routes.connections()) {
            on.requestFlush();
        }
        reopener.throwUnreported();
    }

    // ---- a silent engine ----

    /** See {@link SilenceWatch#givenUpGraceNanos}. */
    long givenUpGraceNanos() {
        return silence.givenUpGraceNanos();
    }

    /** With the lock held, as a connection is made: see {@link SilenceWatch#start}. */
    private void startWatch() {
        silence.start();
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
        reopener.shutdown();
        silence.stop();
        for (SourceConnection on : routes.connections()) {
            on.close();
        }
    }

    /** The engines of the list, for a log line. */
    String describeEngines() {
        return routes.describe();
    }
}
