package io.wallaby.connector;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The two writers of the source SDK's cluster tests, each on a thread of its own as a partitioned capture's: stream
 * X written up to a count, held at a gate on the way until the test opens it, and stream Y written until the test
 * stops it; the points the connector says are acknowledged; and the checks those tests make of what the engines
 * processed.
 */
final class StreamWriters {

    private final String x;
    private final long xCount;
    private final long xGateAt;
    private final String y;
    private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final AtomicBoolean stopY = new AtomicBoolean();

    /**
     * @param xGateAt the id of X that waits for {@link #openGate()} before it is written
     */
    StreamWriters(String x, long xCount, long xGateAt, String y) {
        this.x = x;
        this.xCount = xCount;
        this.xGateAt = xGateAt;
        this.y = y;
    }

    /** The connector's listener: records each stream's acknowledged point. */
    AcknowledgementListener listener() {
        return acknowledged::put;
    }

    long acknowledgedPoint(String stream) {
        Long point = acknowledged.get(stream);
        return point == null ? 0 : point;
    }

    /** Writes X's messages on a thread of its own, flushing now and then as a capture does after a batch. */
    CompletableFuture<Void> startX(SourceConnector connector) {
        return CompletableFuture.runAsync(() -> {
            for (long id = 1; id <= xCount; id++) {
                if (id == xGateAt) {
                    awaitGate();
                }
                connector.write(x, id, bytes("x" + id));
                if (id % 50 == 0) {
                    connector.flush();
                }
            }
            connector.flush();
        }, onThread("x-writer"));
    }

    /** Writes Y's messages on a thread of its own until {@link #stopY()}; completes with the last id written. */
    CompletableFuture<Long> startY(SourceConnector connector) {
        return CompletableFuture.supplyAsync(() -> {
            long id = 0;
            while (!stopY.get()) {
                connector.write(y, ++id, bytes("y" + id));
                if (id % 50 == 0) {
                    connector.flush();
                }
            }
            connector.flush();
            return id;
        }, onThread("y-writer"));
    }

    void openGate() {
        gate.countDown();
    }

    void stopY() {
        stopY.set(true);
    }

    private void awaitGate() {
        try {
            if (!gate.await(20, TimeUnit.SECONDS)) {
                throw new AssertionError("the test never opened X's gate");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The ids processed are 1..last, each once, in order (the ledger drops an id not above the last one). */
    static void assertOnceInOrder(String stream, List<Long> processed, long last) {
        for (int i = 0; i < processed.size(); i++) {
            if (processed.get(i) != i + 1) {
                throw new AssertionError("stream " + stream + ": message " + (i + 1) + " is missing or out of order; "
                        + "processed around it: " + processed.subList(Math.max(0, i - 3), Math.min(processed.size(), i + 4)));
            }
        }
        assertEquals(last, processed.size(), "stream " + stream + ": every message processed");
    }

    /** Polls {@code condition} every 5 ms until it holds, for at most 20 s. */
    static void awaitCondition(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Executor onThread(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            thread.start();
        };
    }
}
