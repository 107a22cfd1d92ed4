package io.wallaby.engine.state;

import io.wallaby.api.Codec;
import io.wallaby.api.Window;
import io.wallaby.api.WindowedAggregation;
import io.wallaby.api.Windows;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WindowedValuesTest {

    /** An input: a key and an event time in seconds. */
    private record Event(long key, long second) {
    }

    /** Counts events per key and window; a closed window says "key@start=count". */
    @SuppressWarnings("unchecked")
    private static final WindowedAggregation<Object, Object, Object, Object> COUNT =
            (WindowedAggregation<Object, Object, Object, Object>) (WindowedAggregation<?, ?, ?, ?>)
                    new WindowedAggregation<Event, Long, Long, String>() {
                        @Override
                        public Long key(Event input) {
                            return input.key();
                        }

                        @Override
                        public long eventTime(Event input) {
                            return input.second() * 1000;
                        }

                        @Override
                        public Long add(Long count, Event input) {
                            return count == null ? 1 : count + 1;
                        }

                        @Override
                        public void close(Long key, Window window, Long count, Consumer<String> output) {
                            output.accept(key + "@" + window.start() / 1000 + "=" + count);
                        }
                    };

    @SuppressWarnings("unchecked")
    private static WindowedValues tenSecondWindows(long latenessSeconds) {
        return new WindowedValues(Windows.tumbling(Duration.ofSeconds(10))
                .withAllowedLateness(Duration.ofSeconds(latenessSeconds)), COUNT,
                (Codec<Object>) (Codec<?>) Codec.LONG, (Codec<Object>) (Codec<?>) Codec.LONG);
    }

    private static List<Object> closeAll(WindowedValues windows) {
        List<Object> out = new ArrayList<>();
        windows.close(Integer.MAX_VALUE, out::add);
        return out;
    }

    @Test
    void theWatermarkIsTheNewestEventTimeMinusTheLatenessAndClosesWindowsThatEndAtOrBeforeIt() {
        WindowedValues windows = tenSecondWindows(5);
        assertEquals(Long.MIN_VALUE, windows.watermark());
        assertTrue(windows.add(new Event(1, 3)));
        assertTrue(windows.add(new Event(1, 12)));
        assertEquals(7_000, windows.watermark());
        assertEquals(List.of(), closeAll(windows), "[0, 10) is open until the watermark reaches 10");
        assertTrue(windows.add(new Event(1, 8)), "late by 4 s: within the allowed 5 s");
        assertTrue(windows.add(new Event(2, 15)));
        assertEquals(List.of("1@0=2"), closeAll(windows));
        assertFalse(windows.add(new Event(1, 9)), "its window has closed: late");
        assertEquals(2, windows.size(), "late input changed nothing: only [10, 20) of keys 1 and 2 are open");
    }

    @Test
    void windowsClosingTogetherCloseByEndThenKeyBytesAndTheBudgetDefersTheRestInOrder() {
        WindowedValues windows = tenSecondWindows(0);
        for (long key : new long[] {3, 1, 2}) {
            windows.add(new Event(key, 1));
        }
        for (long key : new long[] {2, 3, 1}) {
            windows.add(new Event(key, 11));
        }
        windows.add(new Event(9, 25)); // watermark 25: [0,10) and [10,20) of keys 1..3 close
        List<Object> first = new ArrayList<>();
        assertEquals(4, windows.close(4, first::add));
        assertEquals(List.of("1@0=1", "2@0=1", "3@0=1", "1@10=1"), first);
        assertEquals(List.of("2@10=1", "3@10=1"), closeAll(windows));
    }

    @Test
    void aRestoreFromTheCheckpointedEntriesClosesTheSameWindowsInTheSameOrder() {
        WindowedValues original = tenSecondWindows(0);
        for (long key = 1; key <= 50; key++) {
            original.add(new Event(key * 7919 % 101, key % 20));
        }
        Map<List<Byte>, byte[]> stored = new HashMap<>();
        original.takeChanges().writeTo((key, value) -> {
            if (value == null) {
                stored.remove(bytes(key));
            } else {
                stored.put(bytes(key), value);
            }
        });
        WindowedValues restored = tenSecondWindows(0);
        stored.forEach((key, value) -> restored.restore(unbytes(key), value));

        Event next = new Event(1, 45);
        original.add(next);
        restored.add(next);
        List<Object> fromOriginal = new ArrayList<>();
        List<Object> fromRestored = new ArrayList<>();
        while (original.close(3, fromOriginal::add) > 0) {
            restored.close(3, fromRestored::add);
        }
        assertEquals(fromOriginal, fromRestored);
        assertEquals(original.watermark(), restored.watermark());
    }

    private static List<Byte> bytes(byte[] array) {
        List<Byte> list = new ArrayList<>();
        for (byte b : array) {
            list.add(b);
        }
        return list;
    }

    private static byte[] unbytes(List<Byte> list) {
        byte[] array = new byte[list.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = list.get(i);
        }
        return array;
    }
}
