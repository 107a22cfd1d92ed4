package io.wallaby.engine.stream;

import io.wallaby.protocol.Points;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The outputs of one sink stream that no sink has committed yet, in id order. Thread-safe: the
 * event loop of the source connection appends, the event loop of the sink connection reads and
 * commits. At most one sink session reads a log at a time (it claims it); a log outlives its
 * readers, so what one sink did not commit is delivered to the next.
 */
public final class OutputLog {

    /** One output: its sink message id, the event time of its source message, its payload. */
    public record Output(long id, long eventTime, byte[] payload) {
    }

    /** A sink session: told when a log may be claimed and when a claimed log has new outputs. */
    public interface Reader {

        /** A log that may be unclaimed: the reader may try to claim it. Called from any thread. */
        void offer(OutputLog log);

        /** The claimed log has new outputs. Called from the appending thread. */
        void outputsAvailable(OutputLog log);

        /** Credits the sink has granted and the engine not yet used, for /status. */
        long credits();

        /** The claimed log was discarded (its stream moved to another engine): forget it. Any thread. */
        void discarded(OutputLog log);
    }

    private final String name;
    private final long streamId;
    private final OutputBudget budget;
    private final OutputQueue pending = new OutputQueue();
    private final AtomicReference<Reader> reader = new AtomicReference<>();
    private long committed = Points.NONE;
    /** Counts for /status, kept under the lock the append and the commit already take. */
    private long appendedCount;
    private long committedCount;
    /** Set by {@link #discard}: the log takes nothing more. */
    private boolean discarded;
    private volatile Runnable onCommit = () -> { };

    public OutputLog(String name, long streamId, OutputBudget budget) {
        this.name = name;
        this.streamId = streamId;
        this.budget = budget;
    }

    public String name() {
        return name;
    }

    public long streamId() {
        return streamId;
    }

    /** Runs after every commit that moves the committed point, on the committing thread. */
    public void onCommit(Runnable listener) {
        this.onCommit = listener;
    }

    /**
     * Appends outputs, in id order, and wakes the reader. Outputs at or below the committed point are
     * already durable at a sink (regenerated after a replay): they are not kept; one with the id of an
     * output held replaces it (the same output, made again) and counts once.
     */
    public void append(List<Output> outputs) {
        int kept = 0;
        synchronized (this) {
            if (discarded) {
                return;
            }
            for (Output output : outputs) {
                if (Points.isAfter(output.id(), committed) && pending.put(output)) {
                    kept++;
                }
            }
            appendedCount += kept;
        }
        if (kept == 0) {
            return;
        }
        budget.added(kept);
        Reader current = reader.get();
        if (current != null) {
            current.outputsAvailable(this);
        }
    }

    /** The last point a sink committed, or {@link Points#NONE}. */
    public synchronized long committed() {
        return committed;
    }

    /**
     * A sink has durably committed everything up to {@code point}: drop it. A point at or below the
     * committed one changes nothing.
     */
    public void commit(long point) {
        int dropped;
        synchronized (this) {
            if (point == Points.NONE || !Points.isAfter(point, committed)) {
                return;
            }
            committed = point;
            dropped = pending.dropThrough(point);
            committedCount += dropped;
        }
        budget.released(dropped);
        onCommit.run();
    }

    /**
     * Drops every output held and takes no more: the log's source stream is served by another engine now,
     * which delivers them (docs/CLUSTER.md). Its reader is told, so that the sink stream can be claimed
     * anew if the stream comes back.
     */
    public void discard() {
        int dropped;
        Reader current;
        synchronized (this) {
            if (discarded) {
                return;
            }
            discarded = true;
            dropped = pending.clear();
            current = reader.getAndSet(null);
        }
        budget.released(dropped);
        if (current != null) {
            current.discarded(this);
        }
    }

    /** Up to {@code max} outputs with ids after {@code lastSent} ({@link Points#NONE}: from the first). */
    public synchronized List<Output> after(long lastSent, int max) {
        return pending.after(lastSent, max);
    }

    /** Outputs appended (kept) since the engine started. */
    public synchronized long outputsAppended() {
        return appendedCount;
    }

    /** Outputs a sink committed since the engine started. */
    public synchronized long outputsCommitted() {
        return committedCount;
    }

    /** Outputs held, not yet committed. */
    public synchronized int size() {
        return pending.size();
    }

    /** The sink session holding this log, or null. */
    public Reader reader() {
        return reader.get();
    }

    /** Makes {@code candidate} the only reader; false when another reader holds the log. */
    public synchronized boolean tryClaim(Reader candidate) {
        // Under the lock, so that a discard either comes first (and this fails) or finds the claim and tells it.
        return !discarded && (reader.compareAndSet(null, candidate) || reader.get() == candidate);
    }

    /** Lets go of the log if {@code current} holds it. */
    public void release(Reader current) {
        reader.compareAndSet(current, null);
    }

    @Override
    public String toString() {
        return name;
    }
}
