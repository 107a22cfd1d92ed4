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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sink SDK against a test that plays the engine over real TCP. */
class SinkConnectorTest {

    private static final String STREAM = "alert_log/transactions";
    private static final long ID = StreamIds.of(STREAM);

    private FakeEngine engine;
    private SinkConnector connector;

    @BeforeEach
    void start() throws Exception {
        engine = new FakeEngine();
        connector = new SinkConnector(engine.settings(), 50);
    }

    @AfterEach
    void stop() throws Exception {
        connector.close();
        engine.close();
    }

    private static Frame.Message message(long id) {
        return Frame.Message.of(ID, id, ("alert " + id).getBytes(StandardCharsets.UTF_8));
    }

    /** Reads ACK frames until one carries a point; returns the credits granted on the way and that point. */
    private long[] creditsUntilPoint() throws Exception {
        long credits = 0;
        while (true) {
            Frame.Ack ack = engine.read(Frame.Ack.class);
            credits += ack.credits();
            if (!ack.points().isEmpty()) {
                assertEquals(ID, ack.points().get(0).streamId());
                return new long[] {credits, ack.points().get(0).pointOfReference()};
            }
        }
    }

    @Test
    void answersNotifySkipsCommittedMessagesAndAcknowledgesCommits() throws Exception {
        CompletableFuture<Void> connected = CompletableFuture.runAsync(
                () -> connector.connect(name -> STREAM.equals(name) ? 5 : Frame.U64_MAX));
        Frame.Hello hello = engine.acceptAndOk(0);
        assertEquals("test-prog", hello.programName());
        connected.get(5, TimeUnit.SECONDS);
        assertEquals(new Frame.Ack(50, List.of()), engine.read(Frame.Ack.class));

        CompletableFuture<SinkMessage> read = CompletableFuture.supplyAsync(connector::read);
        engine.send(new Frame.Notify(ID, STREAM, Frame.U64_MAX));
        assertEquals(new Frame.NotifyAck(true, ID, 5), engine.read(Frame.NotifyAck.class));
        engine.send(message(4));
        engine.send(message(5));
        engine.send(message(6));
        SinkMessage first = read.get(5, TimeUnit.SECONDS);
        assertEquals(6L, first.messageId(), "ids at or below the committed point are skipped");
        assertEquals(STREAM, first.streamName());
        assertEquals("alert 6", first.payloadText());

        connector.commitMessages(List.of(first));
        long[] grant = creditsUntilPoint();
        assertEquals(3L, grant[0], "every message received, skipped or not, is given back as credit");
        assertEquals(6L, grant[1]);
    }

    @Test
    void readBatchCollectsUpToMaxAndReturnsEmptyWhenIdle() throws Exception {
        CompletableFuture<Void> connected = CompletableFuture.runAsync(() -> connector.connect(name -> Frame.U64_MAX));
        engine.acceptAndOk(0);
        connected.get(5, TimeUnit.SECONDS);
        engine.read(Frame.Ack.class);
        engine.send(new Frame.Notify(ID, STREAM, Frame.U64_MAX));
        for (long id = 1; id <= 5; id++) {
            engine.send(message(id));
        }
        List<SinkMessage> batch = connector.readBatch(3, Duration.ofSeconds(2));
        assertEquals(List.of(1L, 2L, 3L), batch.stream().map(SinkMessage::messageId).toList());
        assertEquals(new Frame.NotifyAck(true, ID, Frame.U64_MAX), engine.read(Frame.NotifyAck.class));
        assertEquals(2, connector.readBatch(10, Duration.ofMillis(200)).size());
        assertTrue(connector.readBatch(10, Duration.ofMillis(50)).isEmpty());
    }

    @Test
    void reconnectsAndAnswersTheNextNotifyWithWhatWasCommitted() throws Exception {
        CompletableFuture<Void> connected = CompletableFuture.runAsync(() -> connector.connect(name -> Frame.U64_MAX));
        engine.acceptAndOk(0);
        connected.get(5, TimeUnit.SECONDS);
        engine.read(Frame.Ack.class);
        engine.send(new Frame.Notify(ID, STREAM, Frame.U64_MAX));
        engine.send(message(1));
        engine.send(message(2));
        List<SinkMessage> batch = connector.readBatch(2, Duration.ofSeconds(2));
        connector.commitMessages(batch);
        engine.read(Frame.NotifyAck.class);
        assertEquals(2L, creditsUntilPoint()[1]);

        engine.dropConnection();
        CompletableFuture<SinkMessage> read = CompletableFuture.supplyAsync(connector::read);
        engine.acceptAndOk(0);
        assertEquals(new Frame.Ack(50, List.of()), engine.read(Frame.Ack.class));
        engine.send(new Frame.Notify(ID, STREAM, Frame.U64_MAX));
        assertEquals(new Frame.NotifyAck(true, ID, 2), engine.read(Frame.NotifyAck.class));
        engine.send(message(2)); // a redelivered duplicate
        engine.send(message(3));
        assertEquals(3L, read.get(5, TimeUnit.SECONDS).messageId());
    }
}
