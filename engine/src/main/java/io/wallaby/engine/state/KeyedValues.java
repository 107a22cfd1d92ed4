package io.wallaby.engine.state;

import io.wallaby.api.Codec;
import io.wallaby.api.ValueState;

import java.util.HashMap;
import java.util.Map;

/**
 * The state of a keyed step on one stream: a value per key, in memory, with the changes since the last
 * checkpoint. Stored as key bytes to value bytes, with the step's codecs.
 */
public final class KeyedValues implements StepState {

    private final Codec<Object> keys;
    private final Codec<Object> values;
    private final Map<Object, Object> live = new HashMap<>();
    private final Changes<Object> changes = new Changes<>();

    public KeyedValues(Codec<Object> keys, Codec<Object> values) {
        this.keys = keys;
        this.values = values;
    }

    /** The state of {@code key} as a {@link ValueState}, valid until the next call. */
    public ValueState<Object> of(Object key) {
        return new ValueState<>() {
            @Override
            public Object get() {
                return live.get(key);
            }

            @Override
            public void set(Object value) {
                if (value == null) {
                    throw new IllegalArgumentException("state values are never null: use clear()");
                }
                live.put(key, value);
                changes.touched(key);
            }

            @Override
            public void clear() {
                if (live.remove(key) != null) {
                    changes.touched(key);
                }
            }
        };
    }

    @Override
    public StateChanges takeChanges() {
        if (changes.isEmpty()) {
            return null;
        }
        return changes.take(key -> {
            Object value = live.get(key);
            return new byte[][] {keys.encode(key), value == null ? null : values.encode(value)};
        });
    }

    @Override
    public void restore(byte[] key, byte[] value) {
        live.put(keys.decode(key), values.decode(value));
    }

    @Override
    public long size() {
        return live.size();
    }
}
