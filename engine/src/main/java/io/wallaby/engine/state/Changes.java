package io.wallaby.engine.state;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The changes of one step since the last checkpoint: key to new value, or to {@link #REMOVED}. A plain
 * map owned by the lane thread until {@link #take} hands it over, whole, to a checkpoint.
 *
 * @param <K> the working key of the step
 */
final class Changes<K> {

    /** The value of a key that was forgotten. */
    static final Object REMOVED = new Object();

    private Map<K, Object> changed = new HashMap<>();

    void put(K key, Object value) {
        changed.put(key, value);
    }

    void remove(K key) {
        changed.put(key, REMOVED);
    }

    boolean isEmpty() {
        return changed.isEmpty();
    }

    /**
     * Hands the changes so far to a checkpoint, which encodes each (key, value) with {@code encoder}
     * (returning {key bytes, value bytes or null}) on the checkpoint thread, and starts afresh.
     */
    StateChanges take(Function<Map.Entry<K, Object>, byte[][]> encoder) {
        Map<K, Object> taken = changed;
        changed = new HashMap<>();
        return new Taken<>(taken, encoder);
    }

    private record Taken<K>(Map<K, Object> changes, Function<Map.Entry<K, Object>, byte[][]> encoder)
            implements StateChanges {

        @Override
        public int size() {
            return changes.size();
        }

        @Override
        public void writeTo(Writer writer) {
            for (Map.Entry<K, Object> entry : changes.entrySet()) {
                byte[][] encoded = encoder.apply(entry);
                writer.put(encoded[0], encoded[1]);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public StateChanges under(StateChanges newer) {
            if (newer == null) {
                return this;
            }
            Map<K, Object> merged = new HashMap<>(changes);
            merged.putAll(((Taken<K>) newer).changes);
            return new Taken<>(merged, encoder);
        }
    }
}
