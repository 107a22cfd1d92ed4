package io.wallaby.engine.state;

import io.wallaby.engine.stream.OutputLog;
import io.wallaby.protocol.Points;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checkpoint thread over a real RocksDB store: what the lanes hand over during a write is written next, together. */
class CheckpointerTest {

    @TempDir
    Path stateDir;

    private static Checkpoint checkpoint(int stream, long position) {
        return new Checkpoint(stream, "stream-" + stream, position, List.of(), List.<OutputLog.Output>of(), Points.NONE);
    }

    @Test
    void checkpointsHandedOverDuringAWriteAreWrittenTogetherInTheNextOne() throws Exception {
        CheckpointFigures figures = new CheckpointFigures(Duration.ofMillis(200));
        Checkpointer checkpointer = new Checkpointer(RocksDbCheckpointStore.open(stateDir), figures);
        try {
            // The first write's callback runs on the checkpoint thread: holding it there keeps the thread busy while
            // the other streams hand theirs over, as a slow write would.
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            checkpointer.write(checkpoint(0, 1), System.nanoTime(), written -> {
                holding.countDown();
                await(release);
            });
            assertTrue(holding.await(30, TimeUnit.SECONDS), "the first write finished");
            List<CompletableFuture<Boolean>> done = new ArrayList<>();
            for (int stream = 1; stream <= 20; stream++) {
                CompletableFuture<Boolean> written = new CompletableFuture<>();
                checkpointer.write(checkpoint(stream, 10L * stream), System.nanoTime(), written::complete);
                done.add(written);
            }
            release.countDown();
            for (CompletableFuture<Boolean> written : done) {
                assertTrue(written.get(30, TimeUnit.SECONDS));
            }
            assertEquals(21, figures.completed());
            assertEquals(2, figures.writes(), "one write for the first, one for the twenty handed over meanwhile");
        } finally {
            checkpointer.close();
        }
        try (RocksDbCheckpointStore store = RocksDbCheckpointStore.open(stateDir)) {
            Map<String, Long> positions = new HashMap<>();
            store.restore(new CheckpointStore.Restorer() {
                @Override
                public void stream(long streamId, String name, long position) {
                    positions.put(name, position);
                }

                @Override
                public void state(long streamId, int step, byte[] key, byte[] value) {
                }

                @Override
                public void output(long streamId, OutputLog.Output output) {
                }
            });
            assertEquals(21, positions.size());
            assertEquals(200, positions.get("stream-20"));
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
