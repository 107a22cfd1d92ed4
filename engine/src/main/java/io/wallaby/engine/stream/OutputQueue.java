package io.wallaby.engine.stream;

import io.wallaby.protocol.Points;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The pending outputs of one {@link OutputLog}, in unsigned id order, in a growable ring. Outputs
 * nearly always arrive in id order and leave from the front, so appending and committing cost no
 * tree nodes and no boxed keys (the {@code TreeMap} this replaces was a tenth of the engine's CPU);
 * an output out of order is still put in its place. Not thread-safe: the log locks around it.
 */
final class OutputQueue {

    private OutputLog.Output[] ring = new OutputLog.Output[64];
    private int head;
    private int size;

    int size() {
        return size;
    }

    /**
     * Adds {@code output} in id order; one with the same id as an output held replaces it.
     *
     * @return true when it was added, false when it replaced an output with its id (the count is unchanged)
     */
    boolean put(OutputLog.Output output) {
        if (size == 0 || Long.compareUnsigned(output.id(), get(size - 1).id()) > 0) {
            growIfFull();
            ring[index(size++)] = output;
            return true;
        }
        int at = firstAbove(output.id(), true);
        if (at < size && get(at).id() == output.id()) {
            ring[index(at)] = output;
            return false;
        }
        growIfFull();
        for (int i = size; i > at; i--) {
            ring[index(i)] = ring[index(i - 1)];
        }
        ring[index(at)] = output;
        size++;
        return true;
    }

    /** Drops every output; how many. */
    int clear() {
        int dropped = size;
        Arrays.fill(ring, null);
        head = 0;
        size = 0;
        return dropped;
    }

    /** Drops the outputs with ids at or below {@code point}, which is not {@link Points#NONE}; how many. */
    int dropThrough(long point) {
        int dropped = 0;
        while (size > 0 && Long.compareUnsigned(ring[head].id(), point) <= 0) {
            ring[head] = null;
            head = (head + 1) & (ring.length - 1);
            size--;
            dropped++;
        }
        return dropped;
    }

    /** Up to {@code max} outputs with ids after {@code lastSent} ({@link Points#NONE}: from the first). */
    List<OutputLog.Output> after(long lastSent, int max) {
        int from = lastSent == Points.NONE ? 0 : firstAbove(lastSent, false);
        int count = Math.max(0, Math.min(max, size - from));
        List<OutputLog.Output> batch = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            batch.add(get(i));
        }
        return batch;
    }

    /** The position of the first output whose id is above {@code id} (or equal, if asked), or {@link #size}. */
    private int firstAbove(long id, boolean orEqual) {
        int bound = orEqual ? 0 : 1;
        int low = 0;
        int high = size;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (Long.compareUnsigned(get(middle).id(), id) >= bound) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        return low;
    }

    private OutputLog.Output get(int position) {
        return ring[index(position)];
    }

    private int index(int position) {
        return (head + position) & (ring.length - 1);
    }

    private void growIfFull() {
        if (size < ring.length) {
            return;
        }
        OutputLog.Output[] bigger = new OutputLog.Output[ring.length * 2];
        for (int i = 0; i < size; i++) {
            bigger[i] = get(i);
        }
        ring = bigger;
        head = 0;
    }
}
