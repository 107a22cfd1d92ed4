package io.wallaby.engine.stream;

import io.wallaby.protocol.Points;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * The engine's memory of one source stream. It outlives connections: when a connector goes away
 * the stream is detached, not forgotten, so the next connector that NOTIFYs it resumes from the
 * acknowledged point, and replayed message ids are recognised as duplicates.
 *
 * <p>A stream of a stateful pipeline is also checkpointed: then a message is acknowledged only once a
 * durable checkpoint covers it as well (its state and outputs survive a crash), see {@link #checkpointed}.
 *
 * <p>Thread-safe. The stream's lane records processed messages, the connection it is attached to records
 * the ids it accepts on its event loop; sink event loops report commits through the stream's
 * {@link OutputLog}.
 */
public final class SourceStream {

    /** The connection a stream is attached to: told, from any thread, that the acked point moved. */
    public interface Owner {
        void acknowledged(SourceStream stream);

        /**
         * This engine no longer serves the stream (its cluster partition moved): stop taking its messages and
         * send the connector to {@code address} ({@code host:port}, or empty when the new owner is not known
         * yet). Any thread; the returned future completes once the connection has let the stream go.
         */
        Future<?> redirect(SourceStream stream, String address);
    }

    /** A processed message waiting for its outputs to be committed. */
    private record InFlight(long messageId, boolean hasOutputs, long lastOutputId, boolean held) {
    }

    private final long id;
    private final String name;
    private final OutputLog outputs;
    private final boolean waitsForCheckpoints;
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    private Owner owner;
    /** EOS received: the owner may send nothing more on the stream. */
    private boolean ending;
    /** EOS processed: every message before it has gone through the application. */
    private boolean ended;
    private long lastSeen = Points.NONE;
    private long acknowledged = Points.NONE;
    /** The position of the last durable checkpoint; only read when {@link #waitsForCheckpoints}. */
    private long checkpointed = Points.NONE;
    private long messagesIn;

    /**
     * @param waitsForCheckpoints true for a stream of a stateful pipeline: acknowledgements wait for
     *                            {@link #checkpointed} as well as for the sinks
     */
    public SourceStream(long id, String name, OutputLog outputs, boolean waitsForCheckpoints) {
        this.id = id;
        this.name = name;
        this.outputs = outputs;
        this.waitsForCheckpoints = waitsForCheckpoints;
        outputs.onCommit(this::popCommitted);
    }

    /**
     * The stream was restored from a checkpoint at {@code position}: it resumes after it, so a NOTIFY is
     * answered with it and a replayed id at or below it is a duplicate. Before any message.
     */
    public synchronized void restoreAt(long position) {
        lastSeen = position;
        acknowledged = position;
        checkpointed = position;
    }

    /** A checkpoint covering every message up to {@code position} is durable. */
    public void checkpointed(long position) {
        synchronized (this) {
            checkpointed = position;
        }
        popCommitted();
    }

    public long id() {
        return id;
    }

    public String name() {
        return name;
    }

    public OutputLog outputs() {
        return outputs;
    }

    /** The newest message id whose outputs (and those of every message before it) are committed. */
    public synchronized long acknowledged() {
        return acknowledged;
    }

    /** Messages accepted (not duplicates) since the engine started. */
    public synchronized long messagesIn() {
        return messagesIn;
    }

    /** The newest message id accepted, or {@link Points#NONE}. */
    public synchronized long lastSeen() {
        return lastSeen;
    }

    /** Messages processed whose outputs are not all committed yet. */
    public synchronized int inFlight() {
        return inFlight.size();
    }

    /** The connection the stream is attached to, for /status; null when detached. */
    public synchronized String ownerName() {
        return owner == null ? null : owner.toString();
    }

    /** Attaches the stream to {@code candidate}; false when another live connection holds it. */
    public synchronized boolean tryAttach(Owner candidate) {
        if (owner != null && (owner != candidate || ending)) {
            return false;
        }
        owner = candidate;
        return true;
    }

    /** The connection went away; the stream keeps everything else. */
    public synchronized void detach(Owner current) {
        if (owner == current) {
            owner = null;
            ending = false;
            ended = false;
        }
    }

    /**
     * The stream now lives on another engine: its connection, if any, lets it go and redirects the connector
     * to {@code address} (empty: not known yet). Returns when that is done, or at once when detached.
     */
    public Future<?> redirect(String address) {
        Owner current;
        synchronized (this) {
            current = owner;
        }
        return current == null ? CompletableFuture.completedFuture(null)
                : current.redirect(this, address);
    }

    /** Whether {@code candidate} may send messages on this stream now. */
    public synchronized boolean acceptsFrom(Owner candidate) {
        return owner == candidate && !ending;
    }

    /**
     * Moves the stream to {@code messageId}; false (and nothing changes) when that id is not above
     * the last one seen, on this connection or an earlier one: a duplicate.
     */
    public synchronized boolean advanceTo(long messageId) {
        if (!Points.isAfter(messageId, lastSeen)) {
            return false;
        }
        lastSeen = messageId;
        messagesIn++;
        return true;
    }

    /**
     * The application has run on {@code messageId} and its outputs, if any, are in the output log
     * already; the last of them has id {@code lastOutputId}.
     */
    public void processed(long messageId, boolean hasOutputs, long lastOutputId) {
        synchronized (this) {
            inFlight.add(new InFlight(messageId, hasOutputs, lastOutputId, false));
        }
        // The outputs may have been committed before the entry was added: look now.
        popCommitted();
    }

    /**
     * {@code messageId} could not be dealt with durably (its dead letter was not written): it is never
     * acknowledged, nor is anything after it, so the source keeps it and sends it again to the next engine.
     */
    public synchronized void hold(long messageId) {
        inFlight.add(new InFlight(messageId, false, Points.NONE, true));
    }

    /** EOS received, on the owner's event loop: from now on the owner may send nothing more on the stream. */
    public synchronized void endRequested() {
        ending = true;
    }

    /**
     * EOS processed, after every message before it: once those are acknowledged, the owner gets the final
     * point and the stream is free for another connection.
     */
    public void endOfStream() {
        synchronized (this) {
            ended = ending;
        }
        popCommitted();
    }

    private void popCommitted() {
        Owner toTell = null;
        synchronized (this) {
            long committed = outputs.committed();
            boolean moved = false;
            InFlight head;
            while ((head = inFlight.peek()) != null && !head.held()
                    && (!head.hasOutputs() || !Points.isAfter(head.lastOutputId(), committed))
                    && (!waitsForCheckpoints || !Points.isAfter(head.messageId(), checkpointed))) {
                inFlight.poll();
                acknowledged = head.messageId();
                moved = true;
            }
            if (ended && inFlight.isEmpty()) {
                toTell = owner;
                owner = null;
                ending = false;
                ended = false;
            } else if (moved) {
                toTell = owner;
            }
        }
        if (toTell != null) {
            toTell.acknowledged(this);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
