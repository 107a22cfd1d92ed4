package io.wallaby.engine;

import io.wallaby.apps.AlertStateless;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.wallaby.engine.Peer.assertReason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The source port, played by test connectors over real sockets. Every test ends by checking that a
 * well-behaved connector still gets its stream acknowledged: no bad connection disturbs the engine.
 */
class SourceSessionTest {

    private static final String COOKIE = "secret";
    private static final AtomicInteger STREAMS = new AtomicInteger();

    private EngineServer engine;

    @BeforeEach
    void start() throws Exception {
        engine = new EngineServer(EngineConfig.onFreePorts().withCookie(COOKIE).withCredits(10, 5),
                new AlertStateless()).start();
    }

    @AfterEach
    void aGoodConnectorStillFlows() throws Exception {
        try (Peer good = Peer.connect(engine.sourcePort())) {
            good.hello(COOKIE);
            String name = "after-" + STREAMS.incrementAndGet();
            assertTrue(good.notifyStream(name).success());
            good.send(message(name, 1, "{\"id\":1,\"amount\":5}"));
            good.awaitAck(StreamIds.of(name), 1);
        } finally {
            engine.close();
        }
    }

    static Frame.Message message(String stream, long id, String json) {
        return Frame.Message.of(StreamIds.of(stream), id, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void helloIsAnsweredWithTheMaximumCredits() throws IOException {
        try (Peer source = Peer.connect(engine.sourcePort())) {
            assertEquals(10, source.hello(COOKIE));
        }
    }

    @Test
    void aWrongVersionIsRefused() throws IOException {
        try (Peer source = Peer.connect(engine.sourcePort())) {
            source.send(new Frame.Hello("0.0.2", COOKIE, "test", "old"));
            assertEquals("unsupported protocol version 0.0.2: this engine speaks 0.0.1", source.expectErrorAndClose());
        }
    }

    @Test
    void aWrongCookieIsRefused() throws IOException {
        try (Peer source = Peer.connect(engine.sourcePort())) {
            source.send(new Frame.Hello(Frame.VERSION, "guess", "test", "intruder"));
            assertReason("bad cookie", source.expectErrorAndClose());
        }
    }

    @Test
    void anythingBeforeHelloIsRefused() throws IOException {
        try (Peer source = Peer.connect(engine.sourcePort())) {
            source.send(new Frame.Notify(1, "early", Frame.U64_MAX));
            assertReason("expected HELLO as the first frame, got NOTIFY", source.expectErrorAndClose());
        }
    }

    @Test
    void aMessageBeforeNotifyIsAProtocolError() throws IOException {
        try (Peer source = Peer.connect(engine.sourcePort())) {
            source.hello(COOKIE);
            source.send(message("unnotified", 1, "{}"));
            assertReason("not open on this connection", source.expectErrorAndClose());
        }
    }

    @Test
    void aStreamOpenOnALiveConnectionIsRefusedToASecondOneWhileTheFirstKeepsFlowing() throws IOException {
        try (Peer first = Peer.connect(engine.sourcePort()); Peer second = Peer.connect(engine.sourcePort())) {
            first.hello(COOKIE);
            second.hello(COOKIE);
            assertTrue(first.notifyStream("shared").success());

            Frame.NotifyAck refused = second.notifyStream("shared");
            assertFalse(refused.success());
            assertEquals(StreamIds.of("shared"), refused.streamId());

            first.send(message("shared", 1, "{\"id\":1,\"amount\":3}"));
            first.awaitAck(StreamIds.of("shared"), 1);
            second.send(message("other", 1, "{}")); // the refused connection did not get the stream...
            assertReason("not open on this connection", second.expectErrorAndClose());
            first.send(message("shared", 2, "{\"id\":2,\"amount\":4}")); // ...and its end did not touch the first
            first.awaitAck(StreamIds.of("shared"), 2);
        }
    }

    @Test
    void anOversizedLengthIsRefusedBeforeAnyBodyIsRead() throws IOException {
        try (Peer source = Peer.connect(engine.sourcePort())) {
            source.hello(COOKIE);
            source.sendRaw(new byte[] {(byte) 0x80, 0, 0, 0}); // 2 GiB announced, no body follows
            assertReason("exceeds the maximum frame length", source.expectErrorAndClose());
        }
    }

    @Test
    void anUnknownFrameTypeIsRefused() throws IOException {
        try (Peer source = Peer.connect(engine.sourcePort())) {
            source.hello(COOKIE);
            source.sendRaw(new byte[] {0, 0, 0, 3, 99, 'x', 'y'});
            assertReason("unknown frame type 99", source.expectErrorAndClose());
        }
    }

    @Test
    void aFrameInTheWrongDirectionIsRefused() throws IOException {
        try (Peer source = Peer.connect(engine.sourcePort())) {
            source.hello(COOKIE);
            source.send(new Frame.Ack(5, List.of()));
            assertEquals("ACK is not sent by a source connector", source.expectErrorAndClose());
        }
    }

    @Test
    void creditsAreToppedUpAtTheRefillLevel() throws IOException {
        try (Peer source = Peer.connect(engine.sourcePort())) {
            assertEquals(10, source.hello(COOKIE));
            source.notifyStream("refill");                                  // 9 left
            for (int id = 1; id <= 4; id++) {                               // 5 left: refill to 10
                source.send(message("refill", id, "{\"id\":1,\"amount\":1}"));
            }
            // The top-up follows the lane's processing of message 4, the acknowledgement of point 4 its own hop:
            // one ACK may carry both, or the point come first. Either way 5 credits, no more.
            long credits = source.awaitAck(StreamIds.of("refill"), 4);
            while (credits < 5) {
                credits += source.expect(Frame.Ack.class).credits();
            }
            assertEquals(5, credits);
        }
    }

    @Test
    void aFrameWithNoCreditLeftIsAProtocolError() throws Exception {
        engine.close();
        // One pending output fills the engine, so no refill comes while no sink drains it.
        engine = new EngineServer(EngineConfig.onFreePorts().withCookie(COOKIE).withCredits(3, 1).withMaxPending(1),
                new AlertStateless()).start();
        try (Peer source = Peer.connect(engine.sourcePort())) {
            source.hello(COOKIE);
            source.notifyStream("greedy");                                         // 2 left
            source.send(message("greedy", 1, "{\"id\":1,\"amount\":5000}"),        // 1 left, no refill
                    message("greedy", 2, "{\"id\":2,\"amount\":1}"),               // 0 left
                    message("greedy", 3, "{\"id\":3,\"amount\":1}"));              // one too many
            assertEquals("sent a frame with no credit left: wait for an ACK granting credits",
                    source.expectErrorAndClose());
        }
        engine.close();
        engine = new EngineServer(EngineConfig.onFreePorts().withCookie(COOKIE).withCredits(10, 5),
                new AlertStateless()).start();
    }

    @Test
    void duplicateMessageIdsAreDropped() throws IOException {
        try (Peer source = Peer.connect(engine.sourcePort())) {
            source.hello(COOKIE);
            source.notifyStream("replayed");
            source.send(message("replayed", 1, "{\"id\":1,\"amount\":1}"),
                    message("replayed", 2, "{\"id\":2,\"amount\":2}"),
                    message("replayed", 2, "{\"id\":2,\"amount\":2}"),
                    message("replayed", 1, "{\"id\":1,\"amount\":1}"),
                    message("replayed", 3, "{\"id\":3,\"amount\":3}"));
            source.awaitAck(StreamIds.of("replayed"), 3);
        }
        assertEquals(2, engine.counters().duplicatesDropped());
        assertEquals(3, engine.counters().messagesProcessed());
    }

    @Test
    void badPayloadsAreCountedAndAcknowledgedWithoutEndingTheSession() throws IOException {
        try (Peer source = Peer.connect(engine.sourcePort())) {
            source.hello(COOKIE);
            source.notifyStream("dirty");
            source.send(message("dirty", 1, "not json"),
                    message("dirty", 2, "{\"id\":2}"),
                    Frame.Message.of(StreamIds.of("dirty"), 3, new byte[0]),
                    message("dirty", 4, "{\"id\":4,\"amount\":\"7\"}"));
            source.awaitAck(StreamIds.of("dirty"), 4);
        }
        assertEquals(2, engine.counters().decodeFailures());
    }

    @Test
    void eosIsAcknowledgedWithTheFinalPointAndFreesTheStreamForAnotherConnection() throws IOException {
        long id = StreamIds.of("finished");
        try (Peer first = Peer.connect(engine.sourcePort())) {
            first.hello(COOKIE);
            first.notifyStream("finished");
            first.send(message("finished", 7, "{\"id\":1,\"amount\":1}"),
                    message("finished", 9, "{\"id\":1,\"amount\":1}"),
                    new Frame.Eos(id));
            first.awaitAck(id, 9);
            first.send(message("finished", 10, "{}"));
            // The final point may come twice: once when message 9 is processed, once more when the EOS behind it
            // is (in one ACK when both were processed in one lane task): ACKs may precede the ERROR.
            assertReason("not open on this connection", first.expectErrorAfterAcksAndClose());
        }
        try (Peer second = Peer.connect(engine.sourcePort())) {
            second.hello(COOKIE);
            assertEquals(new Frame.NotifyAck(true, id, 9), second.notifyStream("finished"));
        }
    }

    @Test
    void aStreamIsDetachedNotForgottenWhenItsConnectionCloses() throws IOException {
        long id = StreamIds.of("resumed");
        try (Peer first = Peer.connect(engine.sourcePort())) {
            first.hello(COOKIE);
            first.notifyStream("resumed");
            first.send(message("resumed", 1, "{\"id\":1,\"amount\":1}"), message("resumed", 2, "{\"id\":1,\"amount\":1}"));
            first.awaitAck(id, 2);
        }
        try (Peer second = Peer.connect(engine.sourcePort())) {
            second.hello(COOKIE);
            Frame.NotifyAck resumed = second.notifyStream("resumed");
            while (!resumed.success()) { // the first connection's close may not have been seen yet
                resumed = second.notifyStream("resumed");
            }
            assertEquals(2, resumed.pointOfReference());
            second.send(message("resumed", 2, "{\"id\":1,\"amount\":1}"), message("resumed", 3, "{\"id\":1,\"amount\":1}"));
            second.awaitAck(id, 3);
        }
        assertEquals(1, engine.counters().duplicatesDropped());
    }
}
