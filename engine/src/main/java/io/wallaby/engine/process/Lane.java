package io.wallaby.engine.process;

import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One processing thread. Each source stream is pinned to one lane, so its messages are processed in
 * order by one thread at a time, while different streams run on different lanes at once, whatever
 * connection carries them. A lane also ticks its stateful streams' checkpoints.
 */
public final class Lane {

    private final EventExecutor executor;
    /** The streams pinned here; touched on the lane only. */
    private final List<StreamProcessor> processors = new ArrayList<>();

    Lane(int index) {
        this.executor = new DefaultEventExecutor(new DefaultThreadFactory("wallaby-lane-" + index, true));
    }

    /** Runs {@code task} on the lane, after what was handed to it before; dropped once the engine is stopping. */
    public void execute(Runnable task) {
        if (executor.isShuttingDown()) {
            return;
        }
        try {
            executor.execute(task);
        } catch (RejectedExecutionException stopped) {
            // stopped in between: nothing runs on this lane any more, as intended
        }
    }

    void pin(StreamProcessor processor) {
        execute(() -> processors.add(processor));
    }

    void unpin(StreamProcessor processor) {
        execute(() -> processors.remove(processor));
    }

    /** Every {@code interval}, offers each stream pinned here a checkpoint. */
    void tickCheckpoints(Duration interval) {
        long nanos = Math.max(1, interval.toNanos());
        executor.scheduleAtFixedRate(() -> processors.forEach(p -> p.checkpoint(false)), nanos, nanos,
                TimeUnit.NANOSECONDS);
    }

    /** Asks every stream pinned here for a checkpoint now. */
    void checkpointAll() {
        execute(() -> processors.forEach(p -> p.checkpoint(true)));
    }

    void shutdown() {
        executor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
