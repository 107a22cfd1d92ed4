package io.wallaby.engine.stream;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine-wide bound on outputs held for sinks ({@code --max-pending}). Outputs are never
 * dropped: when the bound is reached, source sessions stop refilling their connectors' credits and
 * wait here until sinks commit enough. The count may pass the bound by what sources still had
 * credit for; it cannot grow beyond that.
 */
public final class OutputBudget {

    private final long maxPending;
    private final AtomicLong pending = new AtomicLong();
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();

    public OutputBudget(long maxPending) {
        this.maxPending = maxPending;
    }

    public boolean isFull() {
        return pending.get() >= maxPending;
    }

    public long pending() {
        return pending.get();
    }

    void added(int outputs) {
        pending.addAndGet(outputs);
    }

    void released(int outputs) {
        if (outputs > 0 && pending.addAndGet(-outputs) < maxPending) {
            wakeWaiting();
        }
    }

    /**
     * Runs {@code onRoom} once there is room again, on the thread that frees it (or at once, on the
     * caller's thread, if there is room already). The callback must hand itself to its own thread.
     */
    public void awaitRoom(Runnable onRoom) {
        waiting.add(onRoom);
        // Room may have been freed between the caller's check and the add: look again.
        if (!isFull()) {
            wakeWaiting();
        }
    }

    private void wakeWaiting() {
        Runnable next;
        while ((next = waiting.poll()) != null) {
            next.run();
        }
    }
}
