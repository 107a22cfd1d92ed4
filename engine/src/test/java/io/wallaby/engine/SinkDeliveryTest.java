package io.wallaby.engine;

import io.wallaby.apps.AlertStateless;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static io.wallaby.engine.Peer.assertIds;
import static io.wallaby.engine.Peer.assertReason;
import static io.wallaby.engine.Peer.text;
import static io.wallaby.engine.SourceSessionTest.message;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The sink port, end to end: test connectors on both ports of an in-process engine. */
class SinkDeliveryTest {

    private static final String COOKIE = "secret";
    private static final String STREAM = "transactions";
    private static final long SOURCE_ID = StreamIds.of(STREAM);
    private static final String SINK_STREAM = "alert_log/" + STREAM;
    private static final long SINK_ID = StreamIds.of(SINK_STREAM);

    private EngineServer engine;

    @BeforeEach
    void start() throws Exception {
        engine = new EngineServer(EngineConfig.onFreePorts().withCookie(COOKIE), new AlertStateless()).start();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    /** A source connector with the stream "transactions" open. */
    private Peer openSource() throws IOException {
        Peer source = Peer.connect(engine.sourcePort());
        source.hello(COOKIE);
        source.notifyStream(STREAM);
        return source;
    }

    /** A sink connector that has said HELLO and expects the NOTIFY for alert_log/transactions. */
    private Peer sinkNotified() throws IOException {
        Peer sink = Peer.connect(engine.sinkPort());
        assertEquals(0, sink.hello(COOKIE));
        Frame.Notify notify = sink.expect(Frame.Notify.class);
        assertEquals(SINK_ID, notify.streamId());
        assertEquals(SINK_STREAM, notify.streamName());
        return sink;
    }

    private static void sendTransactions(Peer source, long firstId, String... amounts) throws IOException {
        for (int i = 0; i < amounts.length; i++) {
            long id = firstId + i;
            source.send(message(STREAM, id, "{\"id\":" + id + ",\"amount\":" + amounts[i] + "}"));
        }
    }

    @Test
    void alertsFlowToTheSinkAndItsCommitAcknowledgesTheSource() throws IOException {
        try (Peer sink = Peer.connect(engine.sinkPort()); Peer source = openSource()) {
            assertEquals(0, sink.hello(COOKIE));
            assertEquals(new Frame.Notify(SINK_ID, SINK_STREAM, Frame.U64_MAX), sink.expect(Frame.Notify.class));
            sink.send(new Frame.NotifyAck(true, SINK_ID, Frame.U64_MAX), new Frame.Ack(100, List.of()));

            sendTransactions(source, 1, "5000", "10", "-2000.50", "1");
            List<Frame.Message> alerts = sink.messages(2);
            assertIds(List.of(65536L, 3 * 65536L), alerts);
            assertEquals("Deposit Alert for 1: 5000", text(alerts.get(0)));
            assertEquals("Withdrawal Alert for 3: -2000.5", text(alerts.get(1)));

            sink.send(new Frame.Ack(0, List.of(new Frame.StreamPoint(SINK_ID, 3 * 65536L))));
            source.awaitAck(SOURCE_ID, 4);
            assertEquals(0, engine.registry().outputLog(SINK_ID).size());
        }
    }

    @Test
    void severalOutputsOfOneMessageGetConsecutiveIds() throws Exception {
        engine.close();
        engine = new EngineServer(EngineConfig.onFreePorts(), ApplicationLoader.load(DoubleEcho.class.getName())).start();
        long sinkId = StreamIds.of("echo/words");
        try (Peer source = Peer.connect(engine.sourcePort()); Peer sink = Peer.connect(engine.sinkPort())) {
            source.hello("");
            source.notifyStream("words");
            source.send(Frame.Message.of(StreamIds.of("words"), 5, "hi".getBytes()),
                    Frame.Message.of(StreamIds.of("words"), 6, "boom".getBytes()),
                    Frame.Message.of(StreamIds.of("words"), 7, "bad".getBytes()),
                    Frame.Message.of(StreamIds.of("words"), 8, "yo".getBytes()));
            sink.hello("");
            assertEquals(sinkId, sink.expect(Frame.Notify.class).streamId());
            sink.send(new Frame.NotifyAck(true, sinkId, Frame.U64_MAX), new Frame.Ack(10, List.of()));
            List<Frame.Message> echoes = sink.messages(4);
            assertIds(List.of(5 * 65536L, 5 * 65536L + 1, 8 * 65536L, 8 * 65536L + 1), echoes);
            assertEquals(List.of("hi#0", "hi#1", "yo#0", "yo#1"), echoes.stream().map(Peer::text).toList());
            sink.send(new Frame.Ack(0, List.of(new Frame.StreamPoint(sinkId, 8 * 65536L + 1))));
            source.awaitAck(StreamIds.of("words"), 8);
        }
        assertEquals(1, engine.counters().applicationFailures());
        assertEquals(1, engine.counters().decodeFailures());
    }

    @Test
    void outputsMadeWhileNoSinkIsConnectedGoToTheNextSink() throws IOException {
        try (Peer source = openSource()) {
            sendTransactions(source, 1, "1001", "-1001");
            try (Peer sink = sinkNotified()) {
                sink.send(new Frame.NotifyAck(true, SINK_ID, Frame.U64_MAX), new Frame.Ack(10, List.of()));
                assertIds(List.of(65536L, 2 * 65536L), sink.messages(2));
            }
        }
    }

    @Test
    void whatASinkDidNotAcknowledgeIsRedeliveredToTheNext() throws IOException {
        try (Peer source = openSource(); Peer first = sinkNotified()) {
            first.send(new Frame.NotifyAck(true, SINK_ID, Frame.U64_MAX), new Frame.Ack(10, List.of()));
            sendTransactions(source, 1, "2000", "3000", "4000");
            assertIds(List.of(65536L, 2 * 65536L, 3 * 65536L), first.messages(3));
            first.send(new Frame.Ack(0, List.of(new Frame.StreamPoint(SINK_ID, 65536L))));
            source.awaitAck(SOURCE_ID, 1);

            try (Peer second = Peer.connect(engine.sinkPort())) {
                second.hello(COOKIE);
                second.expectSilence(200); // the first sink still holds the stream
                first.close();
                assertEquals(new Frame.Notify(SINK_ID, SINK_STREAM, 65536L), second.expect(Frame.Notify.class));
                second.send(new Frame.NotifyAck(true, SINK_ID, 65536L), new Frame.Ack(10, List.of()));
                assertIds(List.of(2 * 65536L, 3 * 65536L), second.messages(2));
                second.send(new Frame.Ack(0, List.of(new Frame.StreamPoint(SINK_ID, 3 * 65536L))));
                source.awaitAck(SOURCE_ID, 3);
            }
        }
    }

    @Test
    void aSinkThatCommittedMoreThanTheEngineKnowsSkipsIt() throws IOException {
        try (Peer source = openSource()) {
            sendTransactions(source, 1, "2000", "3000", "4000");
            try (Peer sink = sinkNotified()) {
                sink.send(new Frame.NotifyAck(true, SINK_ID, 2 * 65536L), new Frame.Ack(10, List.of()));
                assertIds(List.of(3 * 65536L), sink.messages(1));
                source.awaitAck(SOURCE_ID, 2);
            }
        }
    }

    @Test
    void outputsRegeneratedAtOrBelowWhatTheSinkCommittedAreNotKept() throws IOException {
        try (Peer sink = Peer.connect(engine.sinkPort()); Peer source = openSource()) {
            sink.hello(COOKIE);
            sink.expect(Frame.Notify.class);
            // The sink committed these before (an earlier engine run, say): a replay regenerates them.
            sink.send(new Frame.NotifyAck(true, SINK_ID, 2 * 65536L), new Frame.Ack(10, List.of()));
            sink.expectSilence(100);
            sendTransactions(source, 1, "2000", "3000", "4000");
            assertIds(List.of(3 * 65536L), sink.messages(1));
            source.awaitAck(SOURCE_ID, 2);
            assertEquals(1, engine.registry().outputLog(SINK_ID).size());
        }
    }

    @Test
    void theEngineNeverSendsMoreMessagesThanTheSinkGrantedCredits() throws IOException {
        try (Peer source = openSource(); Peer sink = sinkNotified()) {
            sendTransactions(source, 1, "2000", "3000", "4000", "5000", "6000");
            sink.send(new Frame.NotifyAck(true, SINK_ID, Frame.U64_MAX), new Frame.Ack(2, List.of()));
            assertIds(List.of(65536L, 2 * 65536L), sink.messages(2));
            sink.expectSilence(300);
            sink.send(new Frame.Ack(3, List.of()));
            assertIds(List.of(3 * 65536L, 4 * 65536L, 5 * 65536L), sink.messages(3));
            sink.expectSilence(100);
        }
    }

    @Test
    void sourcesGetNoMoreCreditWhileSinksLagThenGetItWhenTheyCommit() throws Exception {
        engine.close();
        engine = new EngineServer(EngineConfig.onFreePorts().withCookie(COOKIE).withCredits(4, 1).withMaxPending(2),
                new AlertStateless()).start();
        try (Peer source = openSource()) {                       // 3 credits left
            sendTransactions(source, 1, "2000", "3000");         // 1 left: refill level, but 2 outputs pending: full
            source.expectSilence(300);
            try (Peer sink = sinkNotified()) {
                sink.send(new Frame.NotifyAck(true, SINK_ID, Frame.U64_MAX), new Frame.Ack(10, List.of()));
                sink.messages(2);
                sink.send(new Frame.Ack(0, List.of(new Frame.StreamPoint(SINK_ID, 2 * 65536L))));
                assertEquals(3, source.awaitAck(SOURCE_ID, 2));
            }
        }
    }

    @Test
    void eosIsAcknowledgedOnlyOnceTheOutputsBeforeItAreCommitted() throws IOException {
        try (Peer source = openSource(); Peer sink = sinkNotified()) {
            sendTransactions(source, 1, "5000", "1");
            source.send(new Frame.Eos(SOURCE_ID));
            source.expectSilence(200);
            sink.send(new Frame.NotifyAck(true, SINK_ID, Frame.U64_MAX), new Frame.Ack(10, List.of()));
            assertIds(List.of(65536L), sink.messages(1));
            sink.send(new Frame.Ack(0, List.of(new Frame.StreamPoint(SINK_ID, 65536L))));
            source.awaitAck(SOURCE_ID, 2);
            try (Peer next = Peer.connect(engine.sourcePort())) {
                next.hello(COOKIE);
                assertEquals(new Frame.NotifyAck(true, SOURCE_ID, 2), next.notifyStream(STREAM));
            }
        }
    }

    @Test
    void aSinkMaySendNeitherMessagesNorEos() throws IOException {
        try (Peer sink = Peer.connect(engine.sinkPort())) {
            sink.hello(COOKIE);
            sink.send(Frame.Message.of(1, 1, new byte[] {1}));
            assertEquals("MESSAGE is not sent by a sink connector", sink.expectErrorAndClose());
        }
        try (Peer sink = Peer.connect(engine.sinkPort())) {
            sink.hello(COOKIE);
            sink.send(new Frame.Eos(1));
            assertEquals("EOS is not sent by a sink connector", sink.expectErrorAndClose());
        }
        try (Peer sink = Peer.connect(engine.sinkPort())) {
            sink.send(new Frame.Hello(Frame.VERSION, "wrong", "test", "sink"));
            assertReason("bad cookie", sink.expectErrorAndClose());
        }
        try (Peer source = openSource(); Peer sink = sinkNotified()) {
            sink.send(new Frame.NotifyAck(true, SINK_ID, Frame.U64_MAX), new Frame.Ack(1, List.of()));
            sendTransactions(source, 1, "9999");
            assertEquals("Deposit Alert for 1: 9999", text(sink.expect(Frame.Message.class)));
        }
    }
}
