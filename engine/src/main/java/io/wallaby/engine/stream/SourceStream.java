package io.wallaby.engine.stream;

import io.wallaby.protocol.Points;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The engine's memory of one source stream. It outlives connections: when a connector goes away
 * the stream is detached, not forgotten, so the next connector that NOTIFYs it resumes from the
 * acknowledged point, and replayed message ids are recognised as duplicates.
 *
 * <p>Thread-safe. The connection the stream is attached to records messages on its event loop;
 * sink event loops report commits through the stream's {@link OutputLog}.
 */
public final class SourceStream {

    /** The connection a stream is attached to: told, from any thread, that the acked point moved. */
    public interface Owner {
        void acknowledged(SourceStream stream);
    }

    /** A processed message waiting for its outputs to be committed. */
    private record InFlight(long messageId, boolean hasOutputs, long lastOutputId, boolean held) {
    }

    private final long id;
    private final String name;
    private final OutputLog outputs;
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    private Owner owner;
    private boolean ending;
    private long lastSeen = Points.NONE;
    private long acknowledged = Points.NONE;
    private long messagesIn;

    public SourceStream(long id, String name, OutputLog outputs) {
        this.id = id;
        this.name = name;
        this.outputs = outputs;
        outputs.onCommit(this::popCommitted);
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
        }
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

    /** EOS: once everything before it is acknowledged, the owner gets the final point and the id is free. */
    public void endOfStream() {
        synchronized (this) {
            ending = true;
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
                    && (!head.hasOutputs() || !Points.isAfter(head.lastOutputId(), committed))) {
                inFlight.poll();
                acknowledged = head.messageId();
                moved = true;
            }
            if (ending && inFlight.isEmpty()) {
                toTell = owner;
                owner = null;
                ending = false;
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
