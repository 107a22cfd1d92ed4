package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
    private final StreamWriters writers = new StreamWriters(X, X_COUNT, X_GATE, Y);
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
        connector = new SourceConnector(settings, REPLAY_CAPACITY, writers.listener());
    }

    @AfterEach
    void stop() throws Exception {
        writers.stopY();
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
            connector.write(X, id, StreamWriters.bytes("x" + id));
        }
        connector.flush();
        StreamWriters.awaitCondition("X's messages processed by A", () -> ledger.count(X_ID) == 100);
        placement.unown(X_ID);
        a.kill(); // what A did not acknowledge is lost with it
        assertEquals(0, ledger.count(X_ID));

        // Nobody calls on X any more: Y's writer's flush() reopens it, in the background.
        CompletableFuture<Long> yWriter = writers.startY(connector);
        StreamWriters.awaitCondition("X asked for while nobody owns it", () -> b.unownedAnswers(X_ID) >= 2);
        long yWhenXWaits = writers.acknowledgedPoint(Y);
        StreamWriters.awaitCondition("Y acknowledged meanwhile", () -> writers.acknowledgedPoint(Y) >= yWhenXWaits + Y_PROGRESS);

        placement.place(X_ID, b);
        StreamWriters.awaitCondition("X replayed to B and acknowledged", () -> writers.acknowledgedPoint(X) == 100);
        writers.stopY();
        long yLast = yWriter.get(20, TimeUnit.SECONDS);
        StreamWriters.awaitCondition("Y acknowledged to the end", () -> writers.acknowledgedPoint(Y) == yLast);
        StreamWriters.assertOnceInOrder(X, ledger.processed(X_ID), 100);
        StreamWriters.assertOnceInOrder(Y, ledger.processed(Y_ID), yLast);
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
        CompletableFuture<Long> yWriter = writers.startY(connector);
        CompletableFuture<Void> xWriter = writers.startX(connector);
        StreamWriters.awaitCondition("X flowing to A", () -> ledger.count(X_ID) >= 20);

        stopServing.run();
        writers.openGate();
        StreamWriters.awaitCondition("X waiting", xWaits);
        int xWhenWaiting = ledger.count(X_ID);
        long yWhenXWaits = writers.acknowledgedPoint(Y);
        StreamWriters.awaitCondition("Y acknowledged meanwhile", () -> writers.acknowledgedPoint(Y) >= yWhenXWaits + Y_PROGRESS);
        assertFalse(xWriter.isDone(), "X's writer waits: X is not served");
        assertEquals(xWhenWaiting, ledger.count(X_ID), "nothing of X was processed meanwhile");

        serveAgain.run();
        xWriter.get(20, TimeUnit.SECONDS);
        StreamWriters.awaitCondition("X acknowledged to the end", () -> writers.acknowledgedPoint(X) == X_COUNT);
        writers.stopY();
        long yLast = yWriter.get(20, TimeUnit.SECONDS);
        StreamWriters.awaitCondition("Y acknowledged to the end", () -> writers.acknowledgedPoint(Y) == yLast);

        StreamWriters.assertOnceInOrder(X, ledger.processed(X_ID), X_COUNT);
        StreamWriters.assertOnceInOrder(Y, ledger.processed(Y_ID), yLast);
    }
}
