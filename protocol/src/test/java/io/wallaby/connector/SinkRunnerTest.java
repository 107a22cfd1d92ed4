package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Points;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SDK's sink loop against a test that plays the engine over real TCP, running a task that stores in
 * memory. Batches are cut by size, never by time: the batch wait is far longer than any test, so what
 * each batch holds does not depend on how fast anything runs.
 */
class SinkRunnerTest {

    private static final String STREAM = "alert_log/transactions";
    private static final long ID = StreamIds.of(STREAM);
    private static final Duration NEVER = Duration.ofSeconds(60);

    private FakeEngine engine;
    private SinkRunner runner;
    /** The runner's {@code run}, on its own thread; completes when it returns or throws. */
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    @BeforeEach
    void start() throws Exception {
        engine = new FakeEngine();
        runner = new SinkRunner();
    }

    @AfterEach
    void stop() throws Exception {
        runner.stop();
        engine.close();
    }

    /** Stores in memory, keeps its committed point there, and can fail or wait when a test says so. */
    private final class MemoryTask implements SinkTask {
        final Map<String, Long> points = new ConcurrentHashMap<>();
        final List<List<Long>> batches = new CopyOnWriteArrayList<>();
        final List<String> calls = new CopyOnWriteArrayList<>();
        final AtomicInteger attempts = new AtomicInteger();
        final CountDownLatch attempted = new CountDownLatch(1);
        /** Retriable failures still to come. */
        final AtomicInteger failures = new AtomicInteger();
        volatile boolean failForever;
        volatile RuntimeException fatal;
        /** When set, each store waits for it. */
        volatile CountDownLatch release;
        /** The id whose storing stops the runner, as a stop arriving during that store would. */
        volatile long stopAfter = -1;

        @Override
        public void connected() {
            calls.add("connected");
        }

        @Override
        public long committedPoint(String streamName) {
            calls.add("committedPoint " + streamName);
            return points.getOrDefault(streamName, Frame.U64_MAX);
        }

        @Override
        public void store(List<SinkMessage> batch) throws Exception {
            attempts.incrementAndGet();
            attempted.countDown();
            CountDownLatch gate = release;
            if (gate != null && !gate.await(20, TimeUnit.SECONDS)) {
                throw new AssertionError("the test never released the store");
            }
            if (fatal != null) {
                throw fatal;
            }
            if (failForever || failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new RetriableException("store unavailable");
            }
            for (SinkMessage m : batch) {
                long point = points.getOrDefault(m.streamName(), Frame.U64_MAX);
                if (!Points.isAfter(m.messageId(), point)) {
                    throw new AssertionError("message " + m.messageId() + " passed at or below committed point " + point);
                }
                points.put(m.streamName(), m.messageId());
            }
            batches.add(batch.stream().map(SinkMessage::messageId).toList());
            if (batch.get(batch.size() - 1).messageId() == stopAfter) {
                runner.stop();
            }
        }
    }

    private void run(SinkTask task, int batchSize) {
        Thread thread = new Thread(() -> {
            try {
                runner.run(engine.settings(), task, batchSize, NEVER);
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "sink-runner-test");
        thread.setDaemon(true);
        thread.start();
    }

    private static Frame.Message message(long id) {
        return Frame.Message.of(ID, id, ("alert " + id).getBytes(StandardCharsets.UTF_8));
    }

    /** Accepts the runner's connection and announces the stream; returns the point the runner answered. */
    private long connectAndAnnounce() throws IOException {
        engine.acceptAndOk(0);
        assertEquals(new Frame.Ack(SinkConnector.DEFAULT_CREDIT_WINDOW, List.of()), engine.read(Frame.Ack.class));
        engine.send(new Frame.Notify(ID, STREAM, Frame.U64_MAX));
        return engine.read(Frame.NotifyAck.class).pointOfReference();
    }

    /** The next ACK; when the session ended instead, the runner's own failure says why. */
    private Frame.Ack readAck() throws IOException {
        try {
            return engine.read(Frame.Ack.class);
        } catch (IOException e) {
            try {
                done.get(20, TimeUnit.SECONDS); // the runner closes the session before its failure is known here
            } catch (ExecutionException failure) {
                throw new AssertionError("the runner failed", failure.getCause());
            } catch (InterruptedException | TimeoutException ignored) {
                // no failure of the runner to show; the session's end is the news
            }
            throw e;
        }
    }

    /** Reads ACKs (credits for skipped messages carry no point) until one acknowledges {@code point}. */
    private void awaitAcknowledged(long point) throws IOException {
        while (true) {
            Frame.Ack ack = readAck();
            if (!ack.points().isEmpty()) {
                assertEquals(List.of(new Frame.StreamPoint(ID, point)), ack.points());
                return;
            }
        }
    }

    /** The runner closed its session: the next read finds the end (a reset, if a frame was still unread). */
    private void assertSessionClosed() {
        assertThrows(IOException.class, () -> engine.read(), "the runner sent more after its last acknowledgement");
    }

    @Test
    void duplicatesAtOrBelowTheCommittedPointNeverReachTheTask() throws Exception {
        MemoryTask task = new MemoryTask();
        task.points.put(STREAM, 5L); // what a previous run stored
        task.stopAfter = 13;
        run(task, 3);
        assertEquals(5L, connectAndAnnounce(), "the engine is told the task's committed point");
        for (long id = 4; id <= 8; id++) {
            engine.send(message(id));
        }
        awaitAcknowledged(8);

        // The session drops with 9 and 10 in the batch being read; the engine resends from 8, its last ACK.
        engine.send(message(9));
        engine.send(message(10));
        engine.dropConnection();
        assertEquals(8L, connectAndAnnounce());
        for (long id = 9; id <= 13; id++) {
            engine.send(message(id));
        }
        awaitAcknowledged(10);
        awaitAcknowledged(13);
        done.get(20, TimeUnit.SECONDS);

        assertEquals(List.of(List.of(6L, 7L, 8L), List.of(9L, 10L), List.of(11L, 12L, 13L)), task.batches,
                "4 and 5 were committed before; 9 and 10 came twice within one read");
        assertEquals(List.of("connected", "committedPoint " + STREAM, "committedPoint " + STREAM), task.calls);
        assertSessionClosed();
    }

    @Test
    void aFailingStoreIsRetriedAndNothingIsAcknowledgedBeforeItSucceeds() throws Exception {
        MemoryTask task = new MemoryTask();
        task.failures.set(2);
        task.stopAfter = 3;
        try (LogLines log = new LogLines(SinkRunner.class)) {
            run(task, 3);
            connectAndAnnounce();
            for (long id = 1; id <= 3; id++) {
                engine.send(message(id));
            }
            // The first frame after the messages; read at once, while the failing attempts are still going on.
            Frame.Ack ack = readAck();
            assertEquals(3, task.attempts.get(), "acknowledged only after the third attempt stored the batch");
            assertEquals(new Frame.Ack(3, List.of(new Frame.StreamPoint(ID, 3))), ack);
            done.get(20, TimeUnit.SECONDS);
            assertEquals(List.of(List.of(1L, 2L, 3L)), task.batches);
            assertEquals(List.of("could not write a batch of 3 (store unavailable); retrying in 100 ms",
                    "could not write a batch of 3 (store unavailable); retrying in 200 ms"), log.messages());
        }
        assertSessionClosed();
    }

    @Test
    void stopStoresAndAcknowledgesTheBatchInHandThenReturns() throws Exception {
        MemoryTask task = new MemoryTask();
        task.release = new CountDownLatch(1);
        run(task, 2);
        connectAndAnnounce();
        for (long id = 1; id <= 3; id++) {
            engine.send(message(id));
        }
        assertTrue(task.attempted.await(20, TimeUnit.SECONDS), "the store was never called");
        runner.stop(); // as SIGTERM does, from another thread, while 1 and 2 are being stored
        task.release.countDown();
        assertEquals(new Frame.Ack(2, List.of(new Frame.StreamPoint(ID, 2))), readAck());
        done.get(20, TimeUnit.SECONDS);
        assertEquals(List.of(List.of(1L, 2L)), task.batches, "3 was sent ahead but is left for the next sink");
        assertSessionClosed();
    }

    @Test
    void aFatalStoreFailureEndsTheRunWithItAndAcknowledgesNothing() throws Exception {
        MemoryTask task = new MemoryTask();
        task.fatal = new IllegalStateException("the disk is read-only");
        run(task, 2);
        connectAndAnnounce();
        engine.send(message(1));
        engine.send(message(2));
        ExecutionException failed = assertThrows(ExecutionException.class, () -> done.get(20, TimeUnit.SECONDS));
        assertSame(task.fatal, failed.getCause(), "thrown unchanged, so the exit line says what the task said");
        assertEquals(1, task.attempts.get(), "not retried");
        assertSessionClosed();
    }

    @Test
    void aStopWhileTheStoreKeepsFailingGivesUpWithoutAcknowledging() throws Exception {
        MemoryTask task = new MemoryTask();
        task.failForever = true;
        run(task, 2);
        connectAndAnnounce();
        engine.send(message(1));
        engine.send(message(2));
        assertTrue(task.attempted.await(20, TimeUnit.SECONDS), "the store was never called");
        runner.stop();
        ExecutionException failed = assertThrows(ExecutionException.class, () -> done.get(20, TimeUnit.SECONDS));
        assertEquals("stopped while trying to write a batch of 2: store unavailable", failed.getCause().getMessage());
        assertTrue(task.batches.isEmpty());
        assertSessionClosed();
    }
}
