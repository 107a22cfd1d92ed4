package io.wallaby.engine.stream;

import io.wallaby.protocol.Points;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OutputQueueTest {

    private static OutputLog.Output output(long id) {
        return new OutputLog.Output(id, 0L, new byte[] {(byte) id});
    }

    private static List<Long> ids(List<OutputLog.Output> outputs) {
        return outputs.stream().map(OutputLog.Output::id).toList();
    }

    @Test
    void keepsIdOrderAcrossGrowthAndWrapping() {
        OutputQueue queue = new OutputQueue();
        long next = 0;
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < 37; i++) {
                queue.put(output(next++));
            }
            assertEquals(round == 0 ? 30 : 37, queue.dropThrough(next - 8));
            assertEquals(List.of(next - 7, next - 6), ids(queue.after(next - 8, 2)));
        }
        assertEquals(List.of(), queue.after(next - 1, 10));
        assertEquals(7, queue.after(Points.NONE, 100).size());
    }

    @Test
    void putsOutOfOrderOutputsInPlaceAndReplacesEqualIds() {
        OutputQueue queue = new OutputQueue();
        for (long id : new long[] {5, 9, 0, 7, -2L, 9}) {
            queue.put(output(id));
        }
        assertEquals(List.of(0L, 5L, 7L, 9L, -2L), ids(queue.after(Points.NONE, 10)));
        assertEquals(List.of(7L, 9L), ids(queue.after(5, 2)));
        assertEquals(3, queue.dropThrough(7));
        assertEquals(List.of(9L, -2L), ids(queue.after(Points.NONE, 10)));
        assertEquals(2, queue.dropThrough(-2L));
        assertEquals(0, queue.size());
    }
}
