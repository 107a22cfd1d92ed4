package io.wallaby.engine.state;

import io.wallaby.api.Codec;
import io.wallaby.api.Window;
import io.wallaby.api.WindowedAggregation;
import io.wallaby.api.Windows;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The state of a windowed step on one stream: an accumulator per (key, window) still open, and the
 * highest event time seen, from which the watermark follows (see {@link Windows}).
 *
 * <p>Which windows close, and in which order, depends only on the state and the inputs, never on when a
 * checkpoint was taken: windows close in order of end, then of encoded key; when the watermark passes the
 * earliest open end, every window it passed is collected and sorted, and closed one by one as the output
 * budget of each message allows. After a restore the same collection gives the same remaining order.
 * Stored entries: the key's bytes and the window's start (8 bytes) to the encoded accumulator, and an
 * empty key to the highest event time.
 */
public final class WindowedValues implements StepState {

    private static final Object MAX_EVENT_TIME = new Object();

    /** One accumulator's place: its key and its window's start. */
    private record Slot(Object key, long start) {
    }

    private final Windows windows;
    private final long size;
    private final long lateness;
    private final WindowedAggregation<Object, Object, Object, Object> aggregation;
    private final Codec<Object> keys;
    private final Codec<Object> accumulators;
    private final Map<Slot, Object> open = new HashMap<>();
    private final Changes<Object> changes = new Changes<>();
    /** Windows the watermark has passed, in closing order; rebuilt from {@link #open} when empty. */
    private final ArrayDeque<Slot> closing = new ArrayDeque<>();
    private long maxEventTime = Long.MIN_VALUE;
    /** The earliest end among open windows not in {@link #closing}. */
    private long earliestEnd = Long.MAX_VALUE;

    public WindowedValues(Windows windows, WindowedAggregation<Object, Object, Object, Object> aggregation,
                          Codec<Object> keys, Codec<Object> accumulators) {
        this.windows = windows;
        this.size = windows.size().toMillis();
        this.lateness = windows.allowedLateness().toMillis();
        this.aggregation = aggregation;
        this.keys = keys;
        this.accumulators = accumulators;
    }

    /** The highest event time seen minus the allowed lateness; {@code Long.MIN_VALUE} before any input. */
    public long watermark() {
        return maxEventTime == Long.MIN_VALUE ? Long.MIN_VALUE : maxEventTime - lateness;
    }

    /**
     * Adds {@code input} to its key's open windows; false when every window it belongs to has closed
     * (the input is late and changed nothing).
     */
    public boolean add(Object input) {
        long time = aggregation.eventTime(input);
        Object key = aggregation.key(input);
        long watermark = watermark();
        boolean added = false;
        for (Window window : windows.containing(time)) {
            if (window.end() <= watermark) {
                continue;
            }
            Slot slot = new Slot(key, window.start());
            Object accumulator = aggregation.add(open.get(slot), input);
            open.put(slot, accumulator);
            changes.touched(slot);
            earliestEnd = Math.min(earliestEnd, window.end());
            added = true;
        }
        if (added && time > maxEventTime) {
            maxEventTime = time;
            changes.touched(MAX_EVENT_TIME);
        }
        return added;
    }

    /**
     * Closes windows the watermark has passed, in order, until they give {@code budget} outputs.
     *
     * @return the outputs given
     */
    public int close(int budget, Consumer<Object> output) {
        int[] given = {0};
        Consumer<Object> counting = value -> {
            given[0]++;
            output.accept(value);
        };
        while (given[0] < budget) {
            if (closing.isEmpty() && !collectClosed()) {
                break;
            }
            Slot slot = closing.poll();
            Object accumulator = open.remove(slot);
            changes.touched(slot);
            aggregation.close(slot.key(), new Window(slot.start(), slot.start() + size), accumulator, counting);
        }
        return given[0];
    }

    /** Fills {@link #closing} with every open window the watermark has passed; false when there is none. */
    private boolean collectClosed() {
        long watermark = watermark();
        if (earliestEnd > watermark) {
            return false;
        }
        record Closed(Slot slot, long end, byte[] key) {
        }
        List<Closed> closed = new ArrayList<>();
        long earliestLeft = Long.MAX_VALUE;
        for (Slot slot : open.keySet()) {
            long end = slot.start() + size;
            if (end <= watermark) {
                closed.add(new Closed(slot, end, keys.encode(slot.key())));
            } else {
                earliestLeft = Math.min(earliestLeft, end);
            }
        }
        closed.sort(Comparator.comparingLong(Closed::end).thenComparing(Closed::key, Arrays::compareUnsigned));
        closed.forEach(c -> closing.add(c.slot()));
        earliestEnd = earliestLeft;
        return !closing.isEmpty();
    }

    @Override
    public StateChanges takeChanges() {
        if (changes.isEmpty()) {
            return null;
        }
        return changes.take(touched -> {
            if (touched == MAX_EVENT_TIME) {
                return new byte[][] {new byte[0], ByteBuffer.allocate(8).putLong(maxEventTime).array()};
            }
            Slot slot = (Slot) touched;
            byte[] key = keys.encode(slot.key());
            byte[] stored = ByteBuffer.allocate(key.length + 8).put(key).putLong(slot.start()).array();
            Object accumulator = open.get(slot);
            return new byte[][] {stored, accumulator == null ? null : accumulators.encode(accumulator)};
        });
    }

    @Override
    public void restore(byte[] key, byte[] value) {
        if (key.length == 0) {
            maxEventTime = ByteBuffer.wrap(value).getLong();
            return;
        }
        long start = ByteBuffer.wrap(key, key.length - 8, 8).getLong();
        Slot slot = new Slot(keys.decode(Arrays.copyOf(key, key.length - 8)), start);
        open.put(slot, accumulators.decode(value));
        earliestEnd = Math.min(earliestEnd, start + size);
    }

    @Override
    public long size() {
        return open.size();
    }
}
