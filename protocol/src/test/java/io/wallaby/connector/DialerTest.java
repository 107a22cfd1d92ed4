package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dialer's rules, which source and sink share: a refusal before any session is fatal, a refusal on a
 * reconnection is retried with backoff, a RESTART moves the next dial (an address that is not host:port
 * is ignored); TLS from the settings, for both, is in {@link TlsConnectorTest}. Against
 * {@link FakeEngine}s over real TCP. Where the dialer is driven directly, its pauses are recorded instead
 * of slept, so what is asserted never depends on timing; the connectors are synchronised on what the
 * engine sees (a HELLO, a closed connection).
 */
class DialerTest {

    private static final Logger log = LoggerFactory.getLogger(DialerTest.class);
    private static final String STREAM = "transactions";
    private static final long ID = StreamIds.of(STREAM);

    private FakeEngine engine;
    private FakeEngine other;

    @BeforeEach
    void start() throws IOException {
        engine = new FakeEngine();
        other = new FakeEngine();
    }

    @AfterEach
    void stop() throws IOException {
        engine.close();
        other.close();
    }

    /** A side that never waits: it records each pause the backoff asks for and goes on at once. */
    private static final class RecordingSide implements Dialer.Side {
        final List<Long> pauses = new CopyOnWriteArrayList<>();

        @Override
        public void checkWanted() {
        }

        @Override
        public EngineConnection unlocked(Dialer.Attempt attempt) throws IOException {
            return attempt.open();
        }

        @Override
        public void pause(long millis) {
            pauses.add(millis);
        }
    }

    private static CompletableFuture<EngineConnection> dialAsync(Dialer dialer, Dialer.Side side) {
        return CompletableFuture.supplyAsync(() -> dialer.dial(side));
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aRefusalBeforeAnySessionIsFatalAndSaysWhatToCheck() throws Exception {
        RecordingSide side = new RecordingSide();
        CompletableFuture<EngineConnection> dialled = dialAsync(new Dialer(engine.settings(), log), side);
        engine.accept();
        engine.send(new Frame.Error("wrong cookie"));
        ExecutionException failed = assertThrows(ExecutionException.class, () -> await(dialled));
        ConnectorException refused = assertInstanceOf(ConnectorException.class, failed.getCause());
        assertTrue(refused.getMessage().contains("wrong cookie"), refused.getMessage());
        assertTrue(refused.getMessage().contains("check --cookie and the versions"), refused.getMessage());
        assertEquals(List.of(), side.pauses, "no retry");
    }

    @Test
    void afterASessionARefusalIsRetriedLikeAnUnreachableEngineAndTheBackoffStartsOverOnSuccess() throws Exception {
        RecordingSide side = new RecordingSide();
        Dialer dialer = new Dialer(engine.settings(), log);
        CompletableFuture<EngineConnection> first = dialAsync(dialer, side);
        engine.acceptAndOk(0);
        await(first).close();

        CompletableFuture<EngineConnection> second = dialAsync(dialer, side);
        engine.accept();
        engine.send(new Frame.Error("the engine is starting"));
        engine.accept(); // the retry's HELLO
        engine.dropConnection(); // no answer at all: cannot reach
        engine.acceptAndOk(0);
        await(second).close();
        assertEquals(List.of(100L, 200L), side.pauses);

        CompletableFuture<EngineConnection> third = dialAsync(dialer, side);
        engine.accept();
        engine.dropConnection();
        engine.acceptAndOk(0);
        await(third).close();
        assertEquals(List.of(100L, 200L, 100L), side.pauses, "a success resets the backoff");
    }

    @Test
    void aRestartMovesTheNextDialAndARefusalThereIsStillAReconnection() throws Exception {
        RecordingSide side = new RecordingSide();
        Dialer dialer = new Dialer(engine.settings(), log);
        CompletableFuture<EngineConnection> first = dialAsync(dialer, side);
        engine.acceptAndOk(0);
        await(first).close();

        dialer.restartAt("127.0.0.1:" + other.port());
        assertEquals(other.port(), dialer.target().enginePort());
        CompletableFuture<EngineConnection> moved = dialAsync(dialer, side);
        other.accept();
        other.send(new Frame.Error("not yet"));
        assertEquals("test-inst", other.acceptAndOk(0).instanceName());
        await(moved).close();
        assertEquals(List.of(100L), side.pauses);
    }

    @Test
    void aRestartToWhatIsNotHostAndPortKeepsTheAddress() {
        Dialer dialer = new Dialer(engine.settings(), log);
        dialer.restartAt("10.1.2.3:7101");
        assertEquals("10.1.2.3", dialer.target().engineHost());
        assertEquals(7101, dialer.target().enginePort());
        for (String address : List.of("", "engine", "engine:", ":7100", "engine:http", "engine:0", "engine:70000")) {
            dialer.restartAt(address);
            assertEquals("10.1.2.3", dialer.target().engineHost(), address);
            assertEquals(7101, dialer.target().enginePort(), address);
        }
        assertEquals("test-inst", dialer.target().instanceName(), "only the address changes");
    }

    // ---- the same rules through both connectors ----

    @Test
    void aSinkRefusedBeforeAnySessionFailsWithTheHint() throws Exception {
        try (SinkConnector sink = new SinkConnector(engine.settings(), 50)) {
            CompletableFuture<Void> connecting = CompletableFuture.runAsync(() -> sink.connect(s -> Frame.U64_MAX));
            engine.accept();
            engine.send(new Frame.Error("bad cookie"));
            ExecutionException failed = assertThrows(ExecutionException.class, () -> await(connecting));
            assertInstanceOf(ConnectorException.class, failed.getCause());
            assertTrue(failed.getCause().getMessage().contains("check --cookie and the versions"),
                    failed.getCause().getMessage());
        }
    }

    @Test
    void aSinkFollowsARestartAndRetriesARefusalAtTheNewAddress() throws Exception {
        try (SinkConnector sink = new SinkConnector(engine.settings(), 50)) {
            CompletableFuture<Void> connected = CompletableFuture.runAsync(() -> sink.connect(s -> Frame.U64_MAX));
            engine.acceptAndOk(0);
            await(connected);
            assertEquals(new Frame.Ack(50, List.of()), engine.read(Frame.Ack.class));

            CompletableFuture<SinkMessage> read = CompletableFuture.supplyAsync(sink::read);
            engine.send(new Frame.Restart("127.0.0.1:" + other.port()));
            other.accept();
            other.send(new Frame.Error("not yet"));
            other.acceptAndOk(0);
            assertEquals(new Frame.Ack(50, List.of()), other.read(Frame.Ack.class));
            other.send(new Frame.Notify(ID, STREAM, Frame.U64_MAX));
            other.send(Frame.Message.of(ID, 1, bytes("after the restart")));
            assertEquals("after the restart", await(read).payloadText());
        }
    }

    @Test
    void aSourceFollowsARestartAndRetriesARefusalAtTheNewAddress() throws Exception {
        SourceConnector source = new SourceConnector(engine.settings(), 100, (stream, point) -> { });
        try {
            openOn(engine, source);
            source.write(STREAM, 1, bytes("before"));
            source.flush();
            assertEquals(1L, engine.read(Frame.Message.class).messageId());

            engine.send(new Frame.Restart("127.0.0.1:" + other.port()));
            assertThrows(EOFException.class, engine::read); // the reader thread took the RESTART and hung up
            CompletableFuture<Void> write = CompletableFuture.runAsync(() -> source.write(STREAM, 2, bytes("after")));
            other.accept();
            other.send(new Frame.Error("not yet"));
            other.acceptAndOk(10);
            assertEquals(new Frame.Notify(ID, STREAM, Frame.U64_MAX), other.read(Frame.Notify.class));
            other.send(new Frame.NotifyAck(true, ID, Frame.U64_MAX));
            assertEquals(1L, other.read(Frame.Message.class).messageId(), "the unacknowledged message is replayed");
            assertEquals(2L, other.read(Frame.Message.class).messageId());
            await(write);
        } finally {
            close(source);
        }
    }

    /** A port out of range used to be taken and then fail every later call; now the connector stays put. */
    @Test
    void aSourceToldToRestartAtAPortOutOfRangeReconnectsToTheSameAddress() throws Exception {
        SourceConnector source = new SourceConnector(engine.settings(), 100, (stream, point) -> { });
        try {
            openOn(engine, source);
            engine.send(new Frame.Restart("127.0.0.1:70000"));
            assertThrows(EOFException.class, engine::read);
            CompletableFuture<Void> write = CompletableFuture.runAsync(() -> source.write(STREAM, 1, bytes("m1")));
            engine.acceptAndOk(10);
            assertEquals(new Frame.Notify(ID, STREAM, Frame.U64_MAX), engine.read(Frame.Notify.class));
            engine.send(new Frame.NotifyAck(true, ID, Frame.U64_MAX));
            assertEquals(1L, engine.read(Frame.Message.class).messageId());
            await(write);
        } finally {
            close(source);
        }
    }

    private static void openOn(FakeEngine at, SourceConnector source) throws Exception {
        CompletableFuture<Long> opened = CompletableFuture.supplyAsync(() -> {
            source.connect();
            return source.openStream(STREAM);
        });
        at.acceptAndOk(10);
        at.read(Frame.Notify.class);
        at.send(new Frame.NotifyAck(true, ID, Frame.U64_MAX));
        await(opened);
    }

    private static void close(SourceConnector source) throws Exception {
        CompletableFuture.runAsync(() -> source.close(Duration.ofMillis(300))).get(10, TimeUnit.SECONDS);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
