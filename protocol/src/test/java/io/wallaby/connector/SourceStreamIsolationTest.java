package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * One source connector, two engines, two streams written by two threads, as the partitioned postgres source
 * writes them: stream X on engine A, stream Y on engine B. Engine A stops serving X in each of the ways a
 * cluster does (X moved away while nobody owns it, A killed and refusing connections, A frozen and granting
 * no credit, A holding back acknowledgements so that X's replay buffer fills): X's writer waits, and
 * meanwhile Y's writes keep being acknowledged. Once X is served again, every message of X has been
 * processed exactly once, in order. The engines are played over real TCP by {@link ServingEngine}; every
 * step waits for a condition (polled, with a deadline), never for time.
 */
class SourceStreamIsolationTest {

    private static final String X = "transactions.0";
    private static final long X_ID = StreamIds.of(X);
    private static final String Y = "transactions.1";
    private static final long Y_ID = StreamIds.of(Y);
    private static final long CREDITS = 50;
    private static final int REPLAY_CAPACITY = 100;
    /** How many messages X's writer writes. */
    private static final long X_COUNT = 20_000;
    /** X's writer waits before this id until the test has stopped serving X, so that it cannot finish before. */
    private static final long X_GATE = 5_000;
    /** How far Y's acknowledged point must move while X waits. */
    private static final long Y_PROGRESS = 500;

    private final ServingEngine.Placement placement = new ServingEngine.Placement();
    private final ServingEngine.Ledger ledger = new ServingEngine.Ledger();
    private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    private final AtomicBoolean stopY = new AtomicBoolean();
    private final CountDownLatch xNotServed = new CountDownLatch(1);
    private ServingEngine a;
    private ServingEngine b;
    private SourceConnector connector;

    @BeforeEach
    void start() throws Exception {
        a = new ServingEngine(placement, ledger, CREDITS);
        b = new ServingEngine(placement, ledger, CREDITS);
        placement.place(X_ID, a);
        placement.place(Y_ID, b);
        ConnectorSettings settings = new ConnectorSettings("127.0.0.1", 1, "secret", "test-prog", "test-inst", 1 << 20)
                .withEngines(List.of(a.engineAddress(), b.engineAddress()));
        connector = new SourceConnector(settings, REPLAY_CAPACITY, acknowledged::put);
    }

    @AfterEach
    void stop() throws Exception {
        stopY.set(true);
        a.close();
        b.close();
        CompletableFuture.runAsync(() -> connector.close(Duration.ofMillis(300))).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aStreamMovedAwayWhileNobodyOwnsItWaitsAloneAndArrivesExactlyOnceAtItsNewOwner() throws Exception {
        whileXIsNotServed(() -> {
            placement.unown(X_ID);
            a.moveAway(X_ID);
        }, () -> a.unownedAnswers(X_ID) + b.unownedAnswers(X_ID) >= 2, () -> placement.place(X_ID, b));
    }

    @Test
    void aStreamWhoseEngineWasKilledWaitsAloneAndArrivesExactlyOnceAtItsNewOwner() throws Exception {
        whileXIsNotServed(() -> {
            placement.unown(X_ID); // until the group's session timeout
            a.kill();
        }, () -> b.unownedAnswers(X_ID) >= 2, () -> placement.place(X_ID, b));
    }

    @Test
    void aStreamWithoutCreditFromItsFrozenEngineWaitsAlone() throws Exception {
        // Once A holds back every credit it was given, X's writer can send nothing more to A.
        whileXIsNotServed(a::freeze, () -> a.owedCredits() == CREDITS, a::thaw);
    }

    @Test
    void aStreamWhoseReplayBufferIsFullWaitsAlone() throws Exception {
        // Once X's replay buffer holds REPLAY_CAPACITY messages above what A acknowledged, X's writer waits.
        whileXIsNotServed(a::holdPoints, () -> a.acknowledged(X_ID) != Frame.U64_MAX
                && ledger.last(X_ID) == a.acknowledged(X_ID) + REPLAY_CAPACITY, a::releasePoints);
    }

    @Test
    void aLostStreamWithNoCallUnderWayIsReopenedInTheBackgroundWhileTheOthersFlow() throws Exception {
        assertEquals(Frame.U64_MAX, connector.openStream(X));
        assertEquals(Frame.U64_MAX, connector.openStream(Y));
        a.holdPoints(); // A processes X's messages but acknowledges none: they stay in X's replay buffer
        for (long id = 1; id <= 100; id++) {
            connector.write(X, id, bytes("x" + id));
        }
        connector.flush();
        awaitCondition("X's messages processed by A", () -> ledger.count(X_ID) == 100);
        placement.unown(X_ID);
        a.kill(); // what A did not acknowledge is lost with it
        assertEquals(0, ledger.count(X_ID));

        // Nobody calls on X any more: Y's writer's flush() reopens it, in the background.
        CompletableFuture<Long> yWriter = CompletableFuture.supplyAsync(this::writeYUntilStopped, onThread("y-writer"));
        awaitCondition("X asked for while nobody owns it", () -> b.unownedAnswers(X_ID) >= 2);
        long yWhenXWaits = acknowledgedPoint(Y);
        awaitCondition("Y acknowledged meanwhile", () -> acknowledgedPoint(Y) >= yWhenXWaits + Y_PROGRESS);

        placement.place(X_ID, b);
        awaitCondition("X replayed to B and acknowledged", () -> acknowledgedPoint(X) == 100);
        stopY.set(true);
        long yLast = yWriter.get(20, TimeUnit.SECONDS);
        awaitCondition("Y acknowledged to the end", () -> acknowledgedPoint(Y) == yLast);
        assertOnceInOrder(X, ledger.processed(X_ID), 100);
        assertOnceInOrder(Y, ledger.processed(Y_ID), yLast);
    }

    private interface Step {
        void run() throws Exception;
    }

    /**
     * X's writer and Y's writer run; {@code stopServing} makes X wait for something only X needs, which
     * {@code xWaits} tells has happened; Y's acknowledged point must then move on by {@link #Y_PROGRESS}
     * while X does not move; {@code serveAgain} lets X go on, and both streams must hold every message once,
     * in order.
     */
    private void whileXIsNotServed(Step stopServing, BooleanSupplier xWaits, Step serveAgain) throws Exception {
        assertEquals(Frame.U64_MAX, connector.openStream(X));
        assertEquals(Frame.U64_MAX, connector.openStream(Y));
        CompletableFuture<Long> yWriter = CompletableFuture.supplyAsync(this::writeYUntilStopped, onThread("y-writer"));
        CompletableFuture<Void> xWriter = CompletableFuture.runAsync(this::writeX, onThread("x-writer"));
        awaitCondition("X flowing to A", () -> ledger.count(X_ID) >= 20);

        stopServing.run();
        xNotServed.countDown();
        awaitCondition("X waiting", xWaits);
        int xWhenWaiting = ledger.count(X_ID);
        long yWhenXWaits = acknowledgedPoint(Y);
        awaitCondition("Y acknowledged meanwhile", () -> acknowledgedPoint(Y) >= yWhenXWaits + Y_PROGRESS);
        assertFalse(xWriter.isDone(), "X's writer waits: X is not served");
        assertEquals(xWhenWaiting, ledger.count(X_ID), "nothing of X was processed meanwhile");

        serveAgain.run();
        xWriter.get(20, TimeUnit.SECONDS);
        awaitCondition("X acknowledged to the end", () -> acknowledgedPoint(X) == X_COUNT);
        stopY.set(true);
        long yLast = yWriter.get(20, TimeUnit.SECONDS);
        awaitCondition("Y acknowledged to the end", () -> acknowledgedPoint(Y) == yLast);

        assertOnceInOrder(X, ledger.processed(X_ID), X_COUNT);
        assertOnceInOrder(Y, ledger.processed(Y_ID), yLast);
    }

    /** The ids processed are 1..last, each once, in order (the ledger drops an id not above the last one). */
    private static void assertOnceInOrder(String stream, List<Long> processed, long last) {
        for (int i = 0; i < processed.size(); i++) {
            if (processed.get(i) != i + 1) {
                throw new AssertionError("stream " + stream + ": message " + (i + 1) + " is missing or out of order; "
                        + "processed around it: " + processed.subList(Math.max(0, i - 3), Math.min(processed.size(), i + 4)));
            }
        }
        assertEquals(last, processed.size(), "stream " + stream + ": every message processed");
    }

    private static Executor onThread(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            thread.start();
        };
    }

    /** Writes X's messages, flushing now and then as a capture does when it has written a batch. */
    private void writeX() {
        for (long id = 1; id <= X_COUNT; id++) {
            if (id == X_GATE) {
                awaitLatch(xNotServed);
            }
            connector.write(X, id, bytes("x" + id));
            if (id % 50 == 0) {
                connector.flush();
            }
        }
        connector.flush();
    }

    /** Writes Y's messages until told to stop; returns the last id written. */
    private long writeYUntilStopped() {
        long id = 0;
        while (!stopY.get()) {
            connector.write(Y, ++id, bytes("y" + id));
            if (id % 50 == 0) {
                connector.flush();
            }
        }
        connector.flush();
        return id;
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(20, TimeUnit.SECONDS)) {
                throw new AssertionError("the test never stopped serving X");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private long acknowledgedPoint(String stream) {
        Long point = acknowledged.get(stream);
        return point == null ? 0 : point;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Polls {@code condition} every 5 ms until it holds, for at most 20 s. */
    private static void awaitCondition(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }
}
