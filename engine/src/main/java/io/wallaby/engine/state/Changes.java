package io.wallaby.engine.state;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Which keys of one step changed since the last checkpoint: a plain list of the keys touched (repeats
 * allowed), owned by the lane thread. A checkpoint encodes each touched key's current value on the lane, so
 * that nothing has to keep old values alive: the list costs a reference per change, where a map of changes
 * cost an entry object per key that lived until the checkpoint, just long enough for the garbage collector
 * to copy it. The lane's pause for a checkpoint is the encoding of the keys touched since the last one.
 *
 * @param <K> the working key of the step
 */
final class Changes<K> {

    private List<K> touched = new ArrayList<>();

    /** {@code key} was set or forgotten. */
    void touched(K key) {
        touched.add(key);
    }

    boolean isEmpty() {
        return touched.isEmpty();
    }

    /**
     * Encodes every key touched since the last call, once each: {@code encoder} gives {key bytes, value bytes},
     * the value null when the key is forgotten. Starts afresh.
     */
    StateChanges take(Function<K, byte[][]> encoder) {
        List<K> keys = touched;
        touched = new ArrayList<>();
        Set<K> seen = new HashSet<>(Math.max(16, keys.size() * 2));
        List<byte[][]> entries = new ArrayList<>(keys.size());
        for (K key : keys) {
            if (seen.add(key)) {
                entries.add(encoder.apply(key));
            }
        }
        return new Encoded(entries);
    }

    /** Changes encoded, in order: where two entries have the same key, the later one wins. */
    private record Encoded(List<byte[][]> entries) implements StateChanges {

        @Override
        public int size() {
            return entries.size();
        }

        @Override
        public void writeTo(Writer writer) {
            for (byte[][] entry : entries) {
                writer.put(entry[0], entry[1]);
            }
        }

        @Override
        public StateChanges under(StateChanges newer) {
            if (newer == null) {
                return this;
            }
            List<byte[][]> both = new ArrayList<>(entries);
            both.addAll(((Encoded) newer).entries);
            return new Encoded(both);
        }
    }
}
