package io.wallaby.engine.state;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The thread that writes checkpoints, so that a lane only pays for taking one (encoding the entries it
 * touched since the last one) and never waits for the disk. Checkpoints are written one at a time, in the
 * order taken.
 */
public final class Checkpointer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Checkpointer.class);

    private final CheckpointStore store;
    private final CheckpointFigures figures;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
        Thread t = new Thread(runnable, "wallaby-checkpoint");
        t.setDaemon(true);
        return t;
    });

    public Checkpointer(CheckpointStore store, CheckpointFigures figures) {
        this.store = store;
        this.figures = figures;
    }

    public CheckpointStore store() {
        return store;
    }

    public CheckpointFigures figures() {
        return figures;
    }

    /**
     * Writes {@code checkpoint}; then {@code done} gets true once it is durable, or false when it could not be
     * written (an ERROR says why; the caller keeps its changes for the next one). {@code done} runs on the
     * checkpoint thread.
     *
     * @param takenAt {@code System.nanoTime()} when the lane took it
     */
    public void write(Checkpoint checkpoint, long takenAt, Consumer<Boolean> done) {
        thread.execute(() -> {
            boolean written;
            try {
                long bytes = store.write(checkpoint);
                figures.completed(System.nanoTime() - takenAt, bytes);
                written = true;
            } catch (IOException | RuntimeException e) {
                figures.countFailure();
                log.error("Checkpoint of stream {} at {} failed: {}. The stream's acknowledgements wait until a "
                        + "checkpoint succeeds (the next one carries these changes too); free disk space or fix "
                        + "{} if this repeats", checkpoint.streamName(), Long.toUnsignedString(checkpoint.position()),
                        e.getMessage(), store, e);
                written = false;
            }
            done.accept(written);
        });
    }

    /** Waits for the checkpoints handed over so far, then closes the store. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("Checkpoints still being written after 30 s; closing the store under them");
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }
}
