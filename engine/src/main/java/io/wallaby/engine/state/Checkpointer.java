package io.wallaby.engine.state;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The thread that writes checkpoints, so that a lane only pays for taking one (encoding the entries it
 * touched since the last one) and never waits for the disk. What the lanes hand over while a write goes on
 * is written next, together, in one {@link CheckpointStore#write(List)}: making a write durable (an fsync, a
 * Kafka transaction of a few round trips) costs the same for one stream as for many, so with many streams
 * each is checkpointed about as often as with one. Writes happen one at a time, in the order taken.
 */
public final class Checkpointer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Checkpointer.class);
    /** At most this many checkpoints in one write, to bound its size and the time its transaction stays open. */
    static final int MAX_BATCH = 256;

    /** A checkpoint handed over, and whom to tell how its write went. */
    private record Pending(Checkpoint checkpoint, long takenAt, Consumer<Boolean> done) {
    }

    /** Put in the queue by {@link #close()}: what came before it is written, then the thread ends. */
    private static final Pending END = new Pending(null, 0, written -> { });

    private final CheckpointStore store;
    private final CheckpointFigures figures;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    public Checkpointer(CheckpointStore store, CheckpointFigures figures) {
        this.store = store;
        this.figures = figures;
        this.thread = new Thread(this::run, "wallaby-checkpoint");
        thread.setDaemon(true);
        thread.start();
    }

    public CheckpointStore store() {
        return store;
    }

    public CheckpointFigures figures() {
        return figures;
    }

    /**
     * Writes {@code checkpoint}, with whatever else is waiting; then {@code done} gets true once it is durable, or
     * false when it could not be written (an ERROR says why; the caller keeps its changes for the next one) or the
     * checkpointer is closed. {@code done} runs on the checkpoint thread.
     *
     * @param takenAt {@code System.nanoTime()} when the lane took it
     */
    public void write(Checkpoint checkpoint, long takenAt, Consumer<Boolean> done) {
        if (closed) {
            done.accept(false);
            return;
        }
        queue.add(new Pending(checkpoint, takenAt, done));
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        try {
            while (true) {
                batch.add(queue.take());
                queue.drainTo(batch, MAX_BATCH - 1);
                boolean ending = batch.removeIf(pending -> pending == END);
                if (!batch.isEmpty()) {
                    write(batch);
                }
                batch.clear();
                if (ending) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Handed over as the checkpointer closed: not written, and said so.
        for (Pending late = queue.poll(); late != null; late = queue.poll()) {
            late.done().accept(false);
        }
    }

    private void write(List<Pending> batch) {
        List<Checkpoint> checkpoints = new ArrayList<>(batch.size());
        batch.forEach(pending -> checkpoints.add(pending.checkpoint()));
        boolean written;
        try {
            long bytes = store.write(checkpoints);
            long now = System.nanoTime();
            figures.completed(batch.size(), now - batch.get(0).takenAt(), bytes);
            written = true;
        } catch (IOException | RuntimeException e) {
            figures.countFailure();
            Checkpoint first = checkpoints.get(0);
            log.error("Checkpoint of stream {} at {}{} failed: {}. Their acknowledgements wait until a checkpoint "
                    + "succeeds (the next one carries these changes too); free disk space or fix {} if this repeats",
                    first.streamName(), Long.toUnsignedString(first.position()),
                    checkpoints.size() > 1 ? " (and of " + (checkpoints.size() - 1) + " other stream(s))" : "",
                    e.getMessage(), store, e);
            written = false;
        }
        for (Pending pending : batch) {
            pending.done().accept(written);
        }
    }

    /** Writes the checkpoints handed over so far (up to 30 s), then closes the store. */
    @Override
    public void close() {
        closed = true;
        queue.add(END);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            if (thread.isAlive()) {
                log.warn("Checkpoints still being written after 30 s; closing the store under them");
                thread.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }
}
