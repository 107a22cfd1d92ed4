package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A source connection whose engine falls silent (a frozen process, a hung machine, a partition that leaves the
 * TCP connection open), with a short {@code --engine-silence-timeout}: given up once it has waited on its
 * engine and heard nothing for the timeout, its streams then acknowledged by the engine that serves them now,
 * every message exactly once and in order; an engine that holds back its acknowledgements and credits but
 * answers a new connection (its sinks lag) is waited for; a connection with nothing outstanding is never given
 * up. The engines are played over real TCP by {@link ServingEngine}, silenced as by SIGSTOP: they read nothing
 * and answer nothing, not even a new connection, and their connections stay open. Every step waits for a
 * condition (polled, with a deadline), never for time alone.
 */
class SourceSilentEngineTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final String X = "transactions.0";
    private static final long X_ID = StreamIds.of(X);
    private static final String Y = "transactions.1";
    private static final long Y_ID = StreamIds.of(Y);
    private static final String Z = "transactions.2";
    private static final long Z_ID = StreamIds.of(Z);
    private static final long CREDITS = 50;
    private static final int REPLAY_CAPACITY = 100;
    /** How many messages X's writer writes. */
    private static final long X_COUNT = 5_000;
    /** X's writer waits before this id until the test has made X's engine stop answering. */
    private static final long X_GATE = 1_000;
    /** How far Y's acknowledged point must move while a condition is waited for. */
    private static final long Y_PROGRESS = 300;
    private static final String GIVE_UP = "giving the connection up";

    private final ServingEngine.Placement placement = new ServingEngine.Placement();
    private final ServingEngine.Ledger ledger = new ServingEngine.Ledger();
    private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    private final AtomicBoolean stopY = new AtomicBoolean();
    private final CountDownLatch xGate = new CountDownLatch(1);
    private final List<ServingEngine> engines = new ArrayList<>();
    private LogLines lines;
    private SourceConnector connector;

    @BeforeEach
    void start() {
        lines = new LogLines(SourceConnector.class);
    }

    @AfterEach
    void stop() throws Exception {
        stopY.set(true);
        for (ServingEngine engine : engines) {
            engine.close();
        }
        if (connector != null) {
            CompletableFuture.runAsync(() -> connector.close(Duration.ofMillis(300))).get(10, TimeUnit.SECONDS);
        }
        lines.close();
    }

    private ServingEngine engine() throws Exception {
        ServingEngine engine = new ServingEngine(placement, ledger, CREDITS);
        engines.add(engine);
        return engine;
    }

    /** A connector given these engines, in this order, that gives a silent engine up after {@link #TIMEOUT}. */
    private SourceConnector connector(ServingEngine... given) {
        ConnectorSettings settings = new ConnectorSettings("127.0.0.1", 1, "secret", "test-prog", "test-inst", 1 << 20)
                .withEngines(java.util.Arrays.stream(given).map(ServingEngine::engineAddress).toList())
                .withEngineSilenceTimeout(TIMEOUT);
        connector = new SourceConnector(settings, REPLAY_CAPACITY, acknowledged::put);
        return connector;
    }

    @Test
    void aStreamOnAnEngineThatFallsSilentIsGivenUpAndAcknowledgedExactlyOnceByTheEngineThatServesItNow()
            throws Exception {
        ServingEngine a = engine();
        ServingEngine b = engine();
        placement.place(X_ID, a);
        placement.place(Y_ID, b);
        connector(a, b);
        assertEquals(Frame.U64_MAX, connector.openStream(X));
        assertEquals(Frame.U64_MAX, connector.openStream(Y));
        CompletableFuture<Long> yWriter = CompletableFuture.supplyAsync(this::writeYUntilStopped, onThread("y-writer"));
        CompletableFuture<Void> xWriter = CompletableFuture.runAsync(this::writeX, onThread("x-writer"));
        awaitCondition("X flowing to A", () -> ledger.count(X_ID) >= 20);

        // A freezes with its connection open; the cluster moves X to B (A would redirect it, were it running).
        a.silence();
        placement.place(X_ID, b);
        xGate.countDown();

        String warning = lines.await(m -> m.contains(GIVE_UP));
        assertTrue(warning.contains("the engine at " + a.address() + " has sent nothing for "), warning);
        assertTrue(warning.contains("did not answer HELLO"), "the probe's outcome: " + warning);
        assertTrue(warning.contains("reopening its 1 stream(s) [" + X + "]"), "what happens next: " + warning);

        xWriter.get(20, TimeUnit.SECONDS);
        awaitCondition("X acknowledged to the end, by B", () -> acknowledgedPoint(X) == X_COUNT);
        assertEquals(X_COUNT, b.acknowledged(X_ID), "B acknowledged X");
        stopY.set(true);
        long yLast = yWriter.get(20, TimeUnit.SECONDS);
        awaitCondition("Y acknowledged to the end", () -> acknowledgedPoint(Y) == yLast);

        assertOnceInOrder(X, ledger.processed(X_ID), X_COUNT);
        assertOnceInOrder(Y, ledger.processed(Y_ID), yLast);
        assertEquals(1, giveUps(), "one give-up, one warning: " + lines.messages());
        assertEquals(1, a.hellos(), "A, silent, answered no connection but the first");
    }

    @Test
    void anEngineThatHoldsBackAcknowledgementsAndCreditsButAnswersANewConnectionIsWaitedFor() throws Exception {
        ServingEngine a = engine();
        ServingEngine b = engine();
        placement.place(X_ID, a);
        placement.place(Y_ID, b);
        connector(a, b);
        connector.openStream(X);
        connector.openStream(Y);
        CompletableFuture<Long> yWriter = CompletableFuture.supplyAsync(this::writeYUntilStopped, onThread("y-writer"));
        CompletableFuture<Void> xWriter = CompletableFuture.runAsync(this::writeX, onThread("x-writer"));
        awaitCondition("X flowing to A", () -> ledger.count(X_ID) >= 20);

        // As an engine whose sinks lag: it reads and processes, but sends neither acknowledgements nor credit.
        a.freeze();
        xGate.countDown();
        awaitCondition("X's writer out of credit", () -> a.owedCredits() == CREDITS);
        // Each probe comes after half the timeout of silence since the last one: three answered span 1.5 timeouts.
        int hellosBefore = a.hellos();
        awaitCondition("A answered three probes", () -> a.hellos() >= hellosBefore + 3);
        lines.await(m -> m.contains("the engine at " + a.address() + " has sent nothing for ")
                && m.contains("but it answers a new connection"));
        long yNow = acknowledgedPoint(Y);
        awaitCondition("Y acknowledged meanwhile", () -> acknowledgedPoint(Y) >= yNow + Y_PROGRESS);
        assertEquals(0, giveUps(), "A is alive: never given up; " + lines.messages());
        assertFalse(xWriter.isDone(), "X's writer waits for A's credit");

        a.thaw();
        xWriter.get(20, TimeUnit.SECONDS);
        awaitCondition("X acknowledged to the end, by A", () -> acknowledgedPoint(X) == X_COUNT);
        stopY.set(true);
        long yLast = yWriter.get(20, TimeUnit.SECONDS);
        awaitCondition("Y acknowledged to the end", () -> acknowledgedPoint(Y) == yLast);
        assertOnceInOrder(X, ledger.processed(X_ID), X_COUNT);
        assertEquals(1, a.notifies(X_ID), "X was opened on A once: its connection was kept");
        assertEquals(0, giveUps(), lines.messages().toString());
        assertEquals(1, lines.messages().stream().filter(m -> m.contains("but it answers a new connection")).count(),
                "said once while A stayed silent: " + lines.messages());
    }

    @Test
    void aConnectionWithNothingOutstandingIsNeverGivenUpHoweverLongItsEngineIsSilent() throws Exception {
        ServingEngine a = engine();
        ServingEngine b = engine();
        ServingEngine c = engine();
        placement.place(X_ID, a);
        placement.place(Y_ID, b);
        placement.place(Z_ID, c);
        connector(a, b, c);
        connector.openStream(X);
        connector.openStream(Y);
        connector.openStream(Z); // A redirects it to C
        for (long id = 1; id <= 100; id++) {
            connector.write(X, id, bytes("x" + id));
        }
        connector.flush();
        awaitCondition("X acknowledged by A", () -> acknowledgedPoint(X) == 100);

        // A freezes while its connection carries nothing outstanding.
        a.silence();
        long silencedAt = System.nanoTime();
        CompletableFuture<Long> yWriter = CompletableFuture.supplyAsync(this::writeYUntilStopped, onThread("y-writer"));

        // C freezes after A with Z's messages outstanding: its connection is given up once the timeout has
        // passed, so by then A's idle connection has been silent longer than the timeout.
        c.silence();
        placement.place(Z_ID, b);
        for (long id = 1; id <= 20; id++) {
            connector.write(Z, id, bytes("z" + id));
        }
        connector.flush();
        lines.await(m -> m.contains(GIVE_UP) && m.contains(c.address()));
        awaitCondition("Z acknowledged by B", () -> acknowledgedPoint(Z) == 20);
        // And longer: six timeouts since A fell silent, Y flowing all along.
        long yNow = acknowledgedPoint(Y);
        awaitCondition("six timeouts passed, Y acknowledged meanwhile",
                () -> System.nanoTime() - silencedAt >= 6 * TIMEOUT.toNanos() && acknowledgedPoint(Y) >= yNow + Y_PROGRESS);

        assertEquals(1, giveUps(), "only C's connection was given up: " + lines.messages());
        assertEquals(1, a.connections(), "A's connection was neither probed nor dialled again");

        // A wakes: its connection is the one X goes on using; waiting on A starts the count afresh.
        a.wake();
        for (long id = 101; id <= 200; id++) {
            connector.write(X, id, bytes("x" + id));
        }
        connector.flush();
        awaitCondition("X acknowledged by A", () -> acknowledgedPoint(X) == 200);
        stopY.set(true);
        long yLast = yWriter.get(20, TimeUnit.SECONDS);
        awaitCondition("Y acknowledged to the end", () -> acknowledgedPoint(Y) == yLast);
        assertEquals(1, a.notifies(X_ID), "X never left A's first connection");
        assertEquals(1, a.connections());
        assertEquals(1, giveUps(), lines.messages().toString());
        assertOnceInOrder(X, ledger.processed(X_ID), 200);
        assertOnceInOrder(Y, ledger.processed(Y_ID), yLast);
        assertOnceInOrder(Z, ledger.processed(Z_ID), 20);
    }

    @Test
    void aLoneEngineGivenUpIsDialledAgainAndTakesItsStreamBackWhenItWakes() throws Exception {
        ServingEngine a = engine();
        placement.place(X_ID, a);
        connector(a);
        connector.openStream(X);
        CompletableFuture<Void> xWriter = CompletableFuture.runAsync(this::writeX, onThread("x-writer"));
        awaitCondition("X flowing to A", () -> ledger.count(X_ID) >= 20);

        // A freezes; once woken it will see the connection given up closed only after it answered a new one.
        a.holdClosedSessions();
        a.silence();
        xGate.countDown();
        lines.await(m -> m.contains(GIVE_UP) && m.contains(a.address()));
        int probeAndFirst = 2;
        awaitCondition("X's writer dialling A again", () -> a.connections() > probeAndFirst);

        a.wake();
        // A refuses X for a moment: it is open on the connection given up. That is not another instance.
        lines.await(m -> m.contains("still holds stream '" + X + "' on the connection this connector gave up on"));
        a.releaseClosedSessions();

        xWriter.get(20, TimeUnit.SECONDS); // no StreamTakenOverException
        awaitCondition("X acknowledged to the end, by A", () -> acknowledgedPoint(X) == X_COUNT);
        assertOnceInOrder(X, ledger.processed(X_ID), X_COUNT);
        assertEquals(1, giveUps(), lines.messages().toString());
    }

    private long giveUps() {
        return lines.messages().stream().filter(m -> m.contains(GIVE_UP)).count();
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
                awaitLatch(xGate);
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
                throw new AssertionError("the test never opened the gate");
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
