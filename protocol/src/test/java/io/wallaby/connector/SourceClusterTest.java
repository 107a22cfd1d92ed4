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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The source SDK given several engines (a cluster), against tests that play two or three engines over real
 * TCP: per-stream redirects on NOTIFY, an owner not known yet, a stream moved away while open, and what keeps
 * its old meaning (a plain NOTIFY_ACK(false), a RESTART that ends the connection). Every step waits for what
 * an engine reads, or for the connector's listener, never for time.
 */
class SourceClusterTest {

    private static final String S = "transactions.0";
    private static final long S_ID = StreamIds.of(S);
    private static final String T = "transactions.1";
    private static final long T_ID = StreamIds.of(T);

    private FakeEngine a;
    private FakeEngine b;
    private FakeEngine c;
    private SourceConnector connector;
    /** What the listener was told, per stream, in order. */
    private final List<String> told = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        a = new FakeEngine();
        b = new FakeEngine();
        c = new FakeEngine();
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
        b.close();
        c.close();
        if (connector != null) {
            CompletableFuture.runAsync(() -> connector.close(Duration.ofMillis(300))).get(10, TimeUnit.SECONDS);
        }
    }

    private SourceConnector connector(FakeEngine... engines) {
        connector = new SourceConnector(FakeEngine.settings(engines), 1000,
                (stream, point) -> told.add(stream + "@" + point));
        return connector;
    }

    private static <T> CompletableFuture<T> async(Supplier<T> call) {
        return CompletableFuture.supplyAsync(call);
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads frames until a MESSAGE, skipping the ACK-less frames a test does not look at; returns it. */
    private static Frame.Message message(FakeEngine engine) throws Exception {
        return engine.read(Frame.Message.class);
    }

    /** Writes on its own thread: the write blocks until the engine the stream moved to takes it. */
    private CompletableFuture<Void> writeAsync(String stream, long id, String payload) {
        return CompletableFuture.runAsync(() -> connector.write(stream, id, bytes(payload)));
    }

    /** Waits until the connector's reader thread has taken in a move (it logs it), so a test knows what comes next. */
    private static void awaitLine(LogLines lines, String part) throws InterruptedException {
        lines.await(m -> m.contains(part));
    }

    private void awaitTold(String entry) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!told.contains(entry)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the listener was never told " + entry + "; it was told " + told);
            }
            Thread.sleep(5);
        }
    }

    /** The points the listener was told for {@code stream}, in order. */
    private List<Long> toldPoints(String stream) {
        List<Long> points = new ArrayList<>();
        for (String entry : told) {
            if (entry.startsWith(stream + "@")) {
                points.add(Long.parseLong(entry.substring(stream.length() + 1)));
            }
        }
        return points;
    }

    @Test
    void aStreamRedirectedOnNotifyOpensOnTheOwnerAndTheFirstConnectionStaysForOtherStreams() throws Exception {
        connector(a, b);
        CompletableFuture<Long> openedS = async(() -> {
            connector.connect();
            return connector.openStream(S);
        });
        a.acceptAndOk(100);
        assertEquals(new Frame.Notify(S_ID, S, Frame.U64_MAX), a.read(Frame.Notify.class));
        a.redirect(S_ID, "127.0.0.1:" + b.port());
        b.acceptAndOk(100);
        assertEquals(new Frame.Notify(S_ID, S, Frame.U64_MAX), b.read(Frame.Notify.class));
        b.send(new Frame.NotifyAck(true, S_ID, 5));
        assertEquals(5L, await(openedS), "the owner's point");

        // The first engine's connection was kept: a stream it owns opens there, on the same connection.
        CompletableFuture<Long> openedT = async(() -> connector.openStream(T));
        assertEquals(new Frame.Notify(T_ID, T, Frame.U64_MAX), a.read(Frame.Notify.class));
        a.send(new Frame.NotifyAck(true, T_ID, Frame.U64_MAX));
        await(openedT);

        connector.write(S, 6, bytes("s6"));
        connector.write(T, 1, bytes("t1"));
        connector.flush();
        assertEquals(Frame.Message.of(S_ID, 6, bytes("s6")), message(b));
        assertEquals(Frame.Message.of(T_ID, 1, bytes("t1")), message(a));
    }

    @Test
    void anOwnerNotKnownYetIsAskedForAgainOverTheListUntilAnEngineNamesIt() throws Exception {
        connector(a, b);
        try (LogLines lines = new LogLines(SourceConnector.class)) {
            CompletableFuture<Long> opened = async(() -> connector.openStream(S));
            a.acceptAndOk(100);
            a.read(Frame.Notify.class);
            a.redirect(S_ID, ""); // the stream's partition is between owners
            b.acceptAndOk(100); // round robin: the next engine of the list is asked, after a backoff
            assertEquals(new Frame.Notify(S_ID, S, Frame.U64_MAX), b.read(Frame.Notify.class));
            b.redirect(S_ID, "");
            assertEquals(new Frame.Notify(S_ID, S, Frame.U64_MAX), a.read(Frame.Notify.class),
                    "then the first again, on the connection it kept");
            // Now the owner is known: an engine that is not in the list (a third one, added later).
            a.redirect(S_ID, "127.0.0.1:" + c.port());
            c.acceptAndOk(100);
            assertEquals(new Frame.Notify(S_ID, S, Frame.U64_MAX), c.read(Frame.Notify.class));
            c.send(new Frame.NotifyAck(true, S_ID, Frame.U64_MAX));
            assertEquals(Frame.U64_MAX, await(opened));
            assertFalse(opened.isCompletedExceptionally());
            lines.await(m -> m.contains("does not serve stream '" + S + "': no engine knows its owner right now"));
        }
        connector.write(S, 1, bytes("s1"));
        connector.flush();
        assertEquals(1L, message(c).messageId());
    }

    @Test
    void aStreamMovedAwayWhileOpenIsReplayedToItsNewOwnerAndTheOthersKeepFlowing() throws Exception {
        connector(a, b);
        CompletableFuture<Long> opened = async(() -> {
            connector.openStream(S);
            return connector.openStream(T);
        });
        a.acceptAndOk(100);
        a.read(Frame.Notify.class);
        a.send(new Frame.NotifyAck(true, S_ID, Frame.U64_MAX));
        a.read(Frame.Notify.class);
        a.send(new Frame.NotifyAck(true, T_ID, Frame.U64_MAX));
        await(opened);
        for (long id = 1; id <= 4; id++) {
            connector.write(S, id, bytes("s" + id));
        }
        connector.write(T, 1, bytes("t1"));
        connector.flush();
        for (long id = 1; id <= 4; id++) {
            assertEquals(Frame.Message.of(S_ID, id, bytes("s" + id)), message(a));
        }
        assertEquals(1L, message(a).messageId());
        a.send(new Frame.Ack(0, List.of(new Frame.StreamPoint(S_ID, 1), new Frame.StreamPoint(T_ID, 1))));
        awaitTold(S + "@1");
        awaitTold(T + "@1");

        // A loses the stream's partition to B: the unsolicited pair, on the open connection.
        try (LogLines lines = new LogLines(SourceConnector.class)) {
            a.redirect(S_ID, "127.0.0.1:" + b.port());
            awaitLine(lines, "no longer serves stream '" + S + "': its owner is 127.0.0.1:" + b.port());
        }
        CompletableFuture<Void> fifth = writeAsync(S, 5, "s5");
        b.acceptAndOk(100);
        assertEquals(new Frame.Notify(S_ID, S, 1), b.read(Frame.Notify.class), "the connector says where it stands");
        b.send(new Frame.NotifyAck(true, S_ID, 2)); // B restored the stream at 2: 3 and 4 are replayed
        await(fifth);
        connector.flush();
        for (long id = 3; id <= 5; id++) {
            assertEquals(Frame.Message.of(S_ID, id, bytes("s" + id)), message(b));
        }
        b.send(new Frame.Ack(0, List.of(new Frame.StreamPoint(S_ID, 5))));
        awaitTold(S + "@5");
        assertEquals(5L, connector.acknowledgedPoint(S));

        // The old owner's late acknowledgement of S is old news; T goes on on the old connection.
        a.send(new Frame.Ack(0, List.of(new Frame.StreamPoint(S_ID, 3))));
        connector.write(T, 2, bytes("t2"));
        connector.flush();
        assertEquals(Frame.Message.of(T_ID, 2, bytes("t2")), message(a), "nothing of S went to A after the move");
        a.send(new Frame.Ack(0, List.of(new Frame.StreamPoint(T_ID, 2))));
        awaitTold(T + "@2"); // A's reader handled the late ACK of S before this one
        assertEquals(List.of(1L, 5L), toldPoints(S), "each stream's point only goes up");
        assertEquals(List.of(1L, 2L), toldPoints(T));

        // Closing sends each stream's EOS to the engine that serves it now.
        CompletableFuture<Boolean> closedS = async(() -> connector.closeStream(S, Duration.ofSeconds(10)));
        assertEquals(new Frame.Eos(S_ID), b.read(Frame.Eos.class));
        b.send(new Frame.Ack(0, List.of(new Frame.StreamPoint(S_ID, 5))));
        assertTrue(await(closedS));
    }

    @Test
    void aStreamMovedAwayWhileNoOwnerIsKnownWaitsAndAsksTheListAgain() throws Exception {
        connector(a, b);
        CompletableFuture<Long> opened = async(() -> connector.openStream(S));
        a.acceptAndOk(100);
        a.read(Frame.Notify.class);
        a.send(new Frame.NotifyAck(true, S_ID, Frame.U64_MAX));
        await(opened);
        connector.write(S, 1, bytes("s1"));
        connector.flush();
        assertEquals(1L, message(a).messageId());

        try (LogLines lines = new LogLines(SourceConnector.class)) {
            a.redirect(S_ID, ""); // moved away, owner not known yet
            awaitLine(lines, "no longer serves stream '" + S + "': no engine knows its owner right now");
        }
        CompletableFuture<Void> second = writeAsync(S, 2, "s2");
        b.acceptAndOk(100); // asked after a backoff, at the next engine of the list
        assertEquals(new Frame.Notify(S_ID, S, Frame.U64_MAX), b.read(Frame.Notify.class));
        b.send(new Frame.NotifyAck(true, S_ID, Frame.U64_MAX));
        await(second);
        connector.flush();
        assertEquals(1L, message(b).messageId(), "the unacknowledged message is replayed to the new owner");
        assertEquals(2L, message(b).messageId());
    }

    @Test
    void aPlainRefusalStillMeansStandbyAndAfterAReconnectionTakenOver() throws Exception {
        connector(a, b);
        CompletableFuture<Long> opened = async(() -> connector.openStream(S));
        a.acceptAndOk(100);
        a.read(Frame.Notify.class);
        a.send(new Frame.NotifyAck(false, S_ID, Frame.U64_MAX)); // no RESTART before it: open elsewhere
        assertEquals(new Frame.Notify(S_ID, S, Frame.U64_MAX), a.read(Frame.Notify.class),
                "a standby asks the same engine again, not the next one");
        a.send(new Frame.NotifyAck(true, S_ID, 3));
        assertEquals(3L, await(opened));

        a.dropConnection();
        CompletableFuture<Void> flushing = CompletableFuture.runAsync(() -> {
            while (true) {
                connector.flush(); // reconnects once the reader thread has seen the connection go
            }
        });
        a.acceptAndOk(100);
        a.read(Frame.Notify.class);
        a.send(new Frame.NotifyAck(false, S_ID, Frame.U64_MAX));
        ExecutionException failed = assertThrows(ExecutionException.class, () -> await(flushing));
        assertInstanceOf(StreamTakenOverException.class, failed.getCause());
    }

    @Test
    void aRestartThatEndsTheConnectionMovesItsStreamsAndTheListPlace() throws Exception {
        connector(a, c);
        CompletableFuture<Long> opened = async(() -> connector.openStream(S));
        a.acceptAndOk(100);
        a.read(Frame.Notify.class);
        a.send(new Frame.NotifyAck(true, S_ID, Frame.U64_MAX));
        await(opened);

        try (LogLines lines = new LogLines(SourceConnector.class)) {
            a.send(new Frame.Restart("127.0.0.1:" + b.port()));
            a.dropConnection(); // today's meaning: reconnect there
            awaitLine(lines, "asked for a restart at 127.0.0.1:" + b.port());
        }
        CompletableFuture<Void> first = writeAsync(S, 1, "s1");
        b.acceptAndOk(100);
        assertEquals(new Frame.Notify(S_ID, S, Frame.U64_MAX), b.read(Frame.Notify.class));
        b.send(new Frame.NotifyAck(true, S_ID, Frame.U64_MAX));
        await(first);
        connector.flush();
        assertEquals(1L, message(b).messageId());

        // B took A's place in the list: a new stream opens there first, on the same connection.
        CompletableFuture<Long> openedT = async(() -> connector.openStream(T));
        assertEquals(new Frame.Notify(T_ID, T, Frame.U64_MAX), b.read(Frame.Notify.class));
        b.send(new Frame.NotifyAck(true, T_ID, Frame.U64_MAX));
        await(openedT);
    }

    @Test
    void anEngineOfTheListThatCannotBeReachedPassesTheStreamToTheNext() throws Exception {
        FakeEngine gone = new FakeEngine();
        gone.close(); // nothing listens there any more
        connector(gone, b);
        CompletableFuture<Long> opened = async(() -> {
            connector.connect();
            return connector.openStream(S);
        });
        b.acceptAndOk(100);
        assertEquals(new Frame.Notify(S_ID, S, Frame.U64_MAX), b.read(Frame.Notify.class));
        b.send(new Frame.NotifyAck(true, S_ID, 9));
        assertEquals(9L, await(opened));
    }
}
