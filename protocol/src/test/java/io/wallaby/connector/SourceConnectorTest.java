package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The source SDK against a test that plays the engine over real TCP. */
class SourceConnectorTest {

    private static final String STREAM = "transactions";
    private static final long ID = StreamIds.of(STREAM);

    private FakeEngine engine;
    private SourceConnector connector;
    private final List<String> acknowledged = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        engine = new FakeEngine();
        connector = new SourceConnector(engine.settings(), 1000, (stream, point) -> acknowledged.add(stream + "@" + point));
    }

    @AfterEach
    void stop() throws Exception {
        engine.close();
        CompletableFuture.runAsync(() -> connector.close(Duration.ofMillis(300))).get(10, TimeUnit.SECONDS);
    }

    /** Connects with OK(credits) and opens the stream at {@code enginePoint}. */
    private long open(long credits, long enginePoint) throws Exception {
        CompletableFuture<Long> opened = CompletableFuture.supplyAsync(() -> {
            connector.connect();
            return connector.openStream(STREAM);
        });
        Frame.Hello hello = engine.acceptAndOk(credits);
        assertEquals(new Frame.Hello("0.0.1", "secret", "test-prog", "test-inst"), hello);
        Frame.Notify notify = engine.read(Frame.Notify.class);
        assertEquals(new Frame.Notify(ID, STREAM, Frame.U64_MAX), notify);
        engine.send(new Frame.NotifyAck(true, ID, enginePoint));
        return opened.get(5, TimeUnit.SECONDS);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void handshakeAndOpenReturnTheEnginesPoint() throws Exception {
        assertEquals(41L, open(10, 41));
        assertEquals(42L, connector.write(bytes("{\"id\":1}")));
        connector.flush();
        Frame.Message message = engine.read(Frame.Message.class);
        assertEquals(Frame.Message.of(ID, 42, bytes("{\"id\":1}")), message);
    }

    @Test
    void blocksWithoutCreditAndResumesWhenTheEngineGrantsMore() throws Exception {
        open(2, Frame.U64_MAX); // NOTIFY spent one credit, one is left
        connector.write(STREAM, 1, bytes("a"));
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> connector.write(STREAM, 2, bytes("b")));
        // Blocking on credit flushes what is buffered, so the engine sees message 1 without an explicit flush.
        assertEquals(1L, engine.read(Frame.Message.class).messageId());
        Thread.sleep(100);
        assertFalse(second.isDone(), "the second write must wait for credit");
        assertTrue(engine.silentFor(100));
        engine.send(new Frame.Ack(5, List.of(new Frame.StreamPoint(ID, 1))));
        second.get(5, TimeUnit.SECONDS);
        connector.flush();
        assertEquals(2L, engine.read(Frame.Message.class).messageId());
        // The reader thread handles the ACK's credit, which woke the writer, before its point and listener:
        // wait for the listener, not for time.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (acknowledged.isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(1L, connector.acknowledgedPoint(STREAM));
        assertEquals(List.of(STREAM + "@1"), acknowledged);
    }

    @Test
    void retriesNotifyWhileTheStreamIsOpenElsewhere() throws Exception {
        CompletableFuture<Long> opened = CompletableFuture.supplyAsync(() -> {
            connector.connect();
            return connector.openStream(STREAM);
        });
        engine.acceptAndOk(10);
        engine.read(Frame.Notify.class);
        engine.send(new Frame.NotifyAck(false, ID, Frame.U64_MAX));
        long refused = System.nanoTime();
        engine.read(Frame.Notify.class);
        assertTrue(System.nanoTime() - refused >= TimeUnit.MILLISECONDS.toNanos(90), "retry after a backoff");
        assertFalse(opened.isDone());
        engine.send(new Frame.NotifyAck(true, ID, 7));
        assertEquals(7L, opened.get(5, TimeUnit.SECONDS));
    }

    /** A stream open here before and refused after a reconnect was taken over: said, forgotten, openable again. */
    @Test
    void aStreamTakenOverByAnotherConnectionEndsWithAClearErrorAndCanBeOpenedAgain() throws Exception {
        open(100, Frame.U64_MAX);
        connector.write(STREAM, 1, bytes("m1"));
        connector.flush();
        assertEquals(1L, engine.read(Frame.Message.class).messageId());
        engine.dropConnection();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
            while (System.nanoTime() < deadline) {
                connector.flush(); // reconnects once the reader thread has seen the connection go
            }
        });
        engine.acceptAndOk(100);
        engine.read(Frame.Notify.class);
        engine.send(new Frame.NotifyAck(false, ID, Frame.U64_MAX));
        ExecutionException failed = assertThrows(ExecutionException.class, () -> write.get(10, TimeUnit.SECONDS));
        StreamTakenOverException takenOver = assertInstanceOf(StreamTakenOverException.class, failed.getCause());
        assertEquals(STREAM, takenOver.streamName());
        assertTrue(takenOver.getMessage().contains("1 unacknowledged messages"), takenOver.getMessage());

        CompletableFuture<Long> again = CompletableFuture.supplyAsync(() -> connector.openStream(STREAM));
        assertEquals(new Frame.Notify(ID, STREAM, Frame.U64_MAX), engine.read(Frame.Notify.class));
        engine.send(new Frame.NotifyAck(true, ID, 1));
        assertEquals(1L, again.get(10, TimeUnit.SECONDS));
        assertTrue(engine.silentFor(100), "message 1 is not replayed: the stream was forgotten with it");
    }

    /** close() drains each stream; one taken over while close reconnects for another is skipped, not an error. */
    @Test
    void closeSkipsAStreamTakenOverWhileAnotherOneDrains() throws Exception {
        String other = "refunds";
        long otherId = StreamIds.of(other);
        open(100, Frame.U64_MAX);
        CompletableFuture<Long> second = CompletableFuture.supplyAsync(() -> connector.openStream(other));
        assertEquals(new Frame.Notify(otherId, other, Frame.U64_MAX), engine.read(Frame.Notify.class));
        engine.send(new Frame.NotifyAck(true, otherId, Frame.U64_MAX));
        second.get(5, TimeUnit.SECONDS);
        connector.write(STREAM, 1, bytes("m1"));
        connector.flush();
        assertEquals(1L, engine.read(Frame.Message.class).messageId());
        engine.dropConnection();

        CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> connector.close(Duration.ofSeconds(10)));
        engine.acceptAndOk(100); // closing the first stream needs its message acknowledged: it reconnects
        assertEquals(new Frame.Notify(ID, STREAM, Frame.U64_MAX), engine.read(Frame.Notify.class));
        engine.send(new Frame.NotifyAck(true, ID, Frame.U64_MAX));
        assertEquals(1L, engine.read(Frame.Message.class).messageId());
        assertEquals(new Frame.Notify(otherId, other, Frame.U64_MAX), engine.read(Frame.Notify.class));
        engine.send(new Frame.NotifyAck(false, otherId, Frame.U64_MAX)); // taken over: forgotten
        closed.get(10, TimeUnit.SECONDS);
        assertThrows(ConnectorException.class, () -> connector.openStream(other), "the connector is closed");
    }

    @Test
    void reconnectsAndReplaysWhatTheEngineHasNotAcknowledged() throws Exception {
        open(100, Frame.U64_MAX);
        for (long id = 1; id <= 5; id++) {
            connector.write(STREAM, id, bytes("m" + id));
        }
        connector.flush();
        for (long id = 1; id <= 5; id++) {
            assertEquals(id, engine.read(Frame.Message.class).messageId());
        }
        engine.send(new Frame.Ack(0, List.of(new Frame.StreamPoint(ID, 2))));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (connector.acknowledgedPoint(STREAM) != 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        engine.dropConnection();
        Thread.sleep(100); // the reader thread notices the drop

        CompletableFuture<Void> sixth = CompletableFuture.runAsync(() -> connector.write(STREAM, 6, bytes("m6")));
        engine.acceptAndOk(100);
        // The connector says where it stands; the engine's answer (3: it had processed one more) wins.
        assertEquals(new Frame.Notify(ID, STREAM, 2), engine.read(Frame.Notify.class));
        engine.send(new Frame.NotifyAck(true, ID, 3));
        sixth.get(5, TimeUnit.SECONDS);
        connector.flush();
        for (long id = 4; id <= 6; id++) {
            Frame.Message replayed = engine.read(Frame.Message.class);
            assertEquals(id, replayed.messageId());
            assertArrayEquals(bytes("m" + id), replayed.payload());
        }
        assertTrue(engine.silentFor(100), "message 6 is sent once, by the replay");
    }

    @Test
    void closeWaitsForAcknowledgementThenSendsEos() throws Exception {
        open(10, Frame.U64_MAX);
        connector.write(STREAM, 1, bytes("last"));
        CompletableFuture<Boolean> closed = CompletableFuture.supplyAsync(
                () -> connector.closeStream(STREAM, Duration.ofSeconds(5)));
        assertEquals(1L, engine.read(Frame.Message.class).messageId());
        engine.send(new Frame.Ack(1, List.of(new Frame.StreamPoint(ID, 1))));
        assertEquals(new Frame.Eos(ID), engine.read(Frame.Eos.class));
        assertFalse(closed.isDone());
        engine.send(new Frame.Ack(1, List.of(new Frame.StreamPoint(ID, 1))));
        assertTrue(closed.get(5, TimeUnit.SECONDS));
    }

    @Test
    void restartMovesTheConnectorToTheGivenAddress() throws Exception {
        open(10, Frame.U64_MAX);
        connector.write(STREAM, 1, bytes("before"));
        connector.flush();
        engine.read(Frame.Message.class);
        try (FakeEngine other = new FakeEngine()) {
            engine.send(new Frame.Restart("127.0.0.1:" + other.port()));
            assertThrows(java.io.EOFException.class, engine::read); // the reader thread took the RESTART and hung up
            CompletableFuture<Void> write = CompletableFuture.runAsync(() -> connector.write(STREAM, 2, bytes("after")));
            assertEquals("test-inst", other.acceptAndOk(10).instanceName());
            other.read(Frame.Notify.class);
            other.send(new Frame.NotifyAck(true, ID, 1));
            write.get(5, TimeUnit.SECONDS);
            connector.flush();
            assertEquals(2L, other.read(Frame.Message.class).messageId(), "message 1 was acknowledged: only 2 is sent");
        }
    }

    @Test
    void aRefusedHelloIsAClearError() throws Exception {
        CompletableFuture<Void> connecting = CompletableFuture.runAsync(connector::connect);
        engine.accept();
        engine.send(new Frame.Error("bad cookie"));
        Exception failure = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> connecting.get(5, TimeUnit.SECONDS));
        assertTrue(failure.getCause() instanceof ConnectorException, failure.toString());
        assertTrue(failure.getCause().getMessage().contains("bad cookie"), failure.getCause().getMessage());
    }
}
