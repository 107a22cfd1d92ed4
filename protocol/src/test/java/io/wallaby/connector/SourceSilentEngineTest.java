package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
    private final StreamWriters writers = new StreamWriters(X, X_COUNT, X_GATE, Y);
    private final List<ServingEngine> engines = new ArrayList<>();
    private LogLines lines;
    private SourceConnector connector;

    @BeforeEach
    void start() {
        lines = new LogLines(SourceConnector.class);
    }

    @AfterEach
    void stop() throws Exception {
        writers.stopY();
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
        connector = new SourceConnector(settings, REPLAY_CAPACITY, writers.listener());
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
        CompletableFuture<Long> yWriter = writers.startY(connector);
        CompletableFuture<Void> xWriter = writers.startX(connector);
        StreamWriters.awaitCondition("X flowing to A", () -> ledger.count(X_ID) >= 20);

        // A freezes with its connection open; the cluster moves X to B (A would redirect it, were it running).
        a.silence();
        placement.place(X_ID, b);
        writers.openGate();

        String warning = lines.await(m -> m.contains(GIVE_UP));
        assertTrue(warning.contains("the engine at " + a.address() + " has sent nothing for "), warning);
        assertTrue(warning.contains("did not answer HELLO"), "the probe's outcome: " + warning);
        assertTrue(warning.contains("reopening its 1 stream(s) [" + X + "]"), "what happens next: " + warning);

        xWriter.get(20, TimeUnit.SECONDS);
        StreamWriters.awaitCondition("X acknowledged to the end, by B", () -> writers.acknowledgedPoint(X) == X_COUNT);
        assertEquals(X_COUNT, b.acknowledged(X_ID), "B acknowledged X");
        writers.stopY();
        long yLast = yWriter.get(20, TimeUnit.SECONDS);
        StreamWriters.awaitCondition("Y acknowledged to the end", () -> writers.acknowledgedPoint(Y) == yLast);

        StreamWriters.assertOnceInOrder(X, ledger.processed(X_ID), X_COUNT);
        StreamWriters.assertOnceInOrder(Y, ledger.processed(Y_ID), yLast);
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
        CompletableFuture<Long> yWriter = writers.startY(connector);
        CompletableFuture<Void> xWriter = writers.startX(connector);
        StreamWriters.awaitCondition("X flowing to A", () -> ledger.count(X_ID) >= 20);

        // As an engine whose sinks lag: it reads and processes, but sends neither acknowledgements nor credit.
        a.freeze();
        writers.openGate();
        StreamWriters.awaitCondition("X's writer out of credit", () -> a.owedCredits() == CREDITS);
        // Each probe comes after half the timeout of silence since the last one: three answered span 1.5 timeouts.
        int hellosBefore = a.hellos();
        StreamWriters.awaitCondition("A answered three probes", () -> a.hellos() >= hellosBefore + 3);
        lines.await(m -> m.contains("the engine at " + a.address() + " has sent nothing for ")
                && m.contains("but it answers a new connection"));
        long yNow = writers.acknowledgedPoint(Y);
        StreamWriters.awaitCondition("Y acknowledged meanwhile", () -> writers.acknowledgedPoint(Y) >= yNow + Y_PROGRESS);
        assertEquals(0, giveUps(), "A is alive: never given up; " + lines.messages());
        assertFalse(xWriter.isDone(), "X's writer waits for A's credit");

        a.thaw();
        xWriter.get(20, TimeUnit.SECONDS);
        StreamWriters.awaitCondition("X acknowledged to the end, by A", () -> writers.acknowledgedPoint(X) == X_COUNT);
        writers.stopY();
        long yLast = yWriter.get(20, TimeUnit.SECONDS);
        StreamWriters.awaitCondition("Y acknowledged to the end", () -> writers.acknowledgedPoint(Y) == yLast);
        StreamWriters.assertOnceInOrder(X, ledger.processed(X_ID), X_COUNT);
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
            connector.write(X, id, StreamWriters.bytes("x" + id));
        }
        connector.flush();
        StreamWriters.awaitCondition("X acknowledged by A", () -> writers.acknowledgedPoint(X) == 100);

        // A freezes while its connection carries nothing outstanding.
        a.silence();
        long silencedAt = System.nanoTime();
        CompletableFuture<Long> yWriter = writers.startY(connector);

        // C freezes after A with Z's messages outstanding: its connection is given up once the timeout has
        // passed, so by then A's idle connection has been silent longer than the timeout.
        c.silence();
        placement.place(Z_ID, b);
        for (long id = 1; id <= 20; id++) {
            connector.write(Z, id, StreamWriters.bytes("z" + id));
        }
        connector.flush();
        lines.await(m -> m.contains(GIVE_UP) && m.contains(c.address()));
        StreamWriters.awaitCondition("Z acknowledged by B", () -> writers.acknowledgedPoint(Z) == 20);
        // And longer: six timeouts since A fell silent, Y flowing all along.
        long yNow = writers.acknowledgedPoint(Y);
        StreamWriters.awaitCondition("six timeouts passed, Y acknowledged meanwhile",
                () -> System.nanoTime() - silencedAt >= 6 * TIMEOUT.toNanos() && writers.acknowledgedPoint(Y) >= yNow + Y_PROGRESS);

        assertEquals(1, giveUps(), "only C's connection was given up: " + lines.messages());
        assertEquals(1, a.connections(), "A's connection was neither probed nor dialled again");

        // A wakes: its connection is the one X goes on using; waiting on A starts the count afresh.
        a.wake();
        for (long id = 101; id <= 200; id++) {
            connector.write(X, id, StreamWriters.bytes("x" + id));
        }
        connector.flush();
        StreamWriters.awaitCondition("X acknowledged by A", () -> writers.acknowledgedPoint(X) == 200);
        writers.stopY();
        long yLast = yWriter.get(20, TimeUnit.SECONDS);
        StreamWriters.awaitCondition("Y acknowledged to the end", () -> writers.acknowledgedPoint(Y) == yLast);
        assertEquals(1, a.notifies(X_ID), "X never left A's first connection");
        assertEquals(1, a.connections());
        assertEquals(1, giveUps(), lines.messages().toString());
        StreamWriters.assertOnceInOrder(X, ledger.processed(X_ID), 200);
        StreamWriters.assertOnceInOrder(Y, ledger.processed(Y_ID), yLast);
        StreamWriters.assertOnceInOrder(Z, ledger.processed(Z_ID), 20);
    }

    @Test
    void aLoneEngineGivenUpIsDialledAgainAndTakesItsStreamBackWhenItWakes() throws Exception {
        ServingEngine a = engine();
        placement.place(X_ID, a);
        connector(a);
        connector.openStream(X);
        CompletableFuture<Void> xWriter = writers.startX(connector);
        StreamWriters.awaitCondition("X flowing to A", () -> ledger.count(X_ID) >= 20);

        // A freezes; once woken it will see the connection given up closed only after it answered a new one.
        a.holdClosedSessions();
        a.silence();
        writers.openGate();
        lines.await(m -> m.contains(GIVE_UP) && m.contains(a.address()));
        int probeAndFirst = 2;
        StreamWriters.awaitCondition("X's writer dialling A again", () -> a.connections() > probeAndFirst);

        a.wake();
        // A refuses X for a moment: it is open on the connection given up. That is not another instance.
        lines.await(m -> m.contains("still holds stream '" + X + "' on the connection this connector gave up on"));
        a.releaseClosedSessions();

        xWriter.get(20, TimeUnit.SECONDS); // no StreamTakenOverException
        StreamWriters.awaitCondition("X acknowledged to the end, by A", () -> writers.acknowledgedPoint(X) == X_COUNT);
        StreamWriters.assertOnceInOrder(X, ledger.processed(X_ID), X_COUNT);
        assertEquals(1, giveUps(), lines.messages().toString());
    }

    private long giveUps() {
        return lines.messages().stream().filter(m -> m.contains(GIVE_UP)).count();
    }
}
