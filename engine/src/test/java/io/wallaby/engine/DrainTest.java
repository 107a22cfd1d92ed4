package io.wallaby.engine;

import io.wallaby.apps.AlertStateless;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;

import static io.wallaby.engine.SourceSessionTest.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link EngineServer#drain}: the first half of a graceful stop, in-process. */
class DrainTest {

    private static final String STREAM = "transactions";
    private static final long SOURCE_ID = StreamIds.of(STREAM);
    private static final long SINK_ID = StreamIds.of("alert_log/" + STREAM);

    private EngineServer engine;

    @BeforeEach
    void start() throws Exception {
        // Credits 4, refill at 2: the source needs a top-up after two messages.
        engine = new EngineServer(EngineConfig.onFreePorts().withCredits(4, 2), new AlertStateless()).start();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private Peer openSource() throws IOException {
        Peer source = Peer.connect(engine.sourcePort());
        source.hello("");
        source.notifyStream(STREAM);
        return source;
    }

    /** Two alerts waiting for a sink. */
    private static void sendTwoAlerts(Peer source) throws IOException {
        source.send(message(STREAM, 1, "{\"id\":1,\"amount\":5000}"), message(STREAM, 2, "{\"id\":2,\"amount\":-2000}"));
    }

    @Test
    void drainWaitsForTheSinkToCommitWhatTheEngineHolds() throws Exception {
        try (Peer source = openSource(); Peer sink = Peer.connect(engine.sinkPort())) {
            sendTwoAlerts(source);
            source.expect(Frame.Ack.class); // the credit top-up after the refill level

            sink.hello("");
            sink.expect(Frame.Notify.class);
            sink.send(new Frame.NotifyAck(true, SINK_ID, Frame.U64_MAX), new Frame.Ack(10, List.of()));
            List<Frame.Message> alerts = sink.messages(2);

            Thread committer = new Thread(() -> {
                try {
                    Thread.sleep(200); // the engine is draining by now
                    sink.send(new Frame.Ack(0, List.of(new Frame.StreamPoint(SINK_ID, alerts.get(1).messageId()))));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            committer.start();
            assertTrue(engine.drain(Duration.ofSeconds(5)), "every output committed within the timeout");
            committer.join();
            assertEquals(0, engine.registry().budget().pending());
            // The source still hears that its messages are durable.
            source.awaitAck(SOURCE_ID, 2);
        }
    }

    @Test
    void aSinkThatConnectsDuringTheDrainStillTakesWhatIsHeld() throws Exception {
        try (Peer source = openSource()) {
            sendTwoAlerts(source);
            source.expect(Frame.Ack.class);
            Thread sinkArrivesLate = new Thread(() -> {
                try (Peer sink = Peer.connect(engine.sinkPort())) {
                    Thread.sleep(200); // the engine is draining by now
                    sink.hello("");
                    sink.expect(Frame.Notify.class);
                    sink.send(new Frame.NotifyAck(true, SINK_ID, Frame.U64_MAX), new Frame.Ack(10, List.of()));
                    long last = sink.messages(2).get(1).messageId();
                    sink.send(new Frame.Ack(0, List.of(new Frame.StreamPoint(SINK_ID, last))));
                    sink.expectSilence(200); // stay connected while the commit lands
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            sinkArrivesLate.start();
            assertTrue(engine.drain(Duration.ofSeconds(5)));
            sinkArrivesLate.join();
        }
    }

    @Test
    void drainGivesUpAtTheTimeoutAndSaysOutputsArePending() throws Exception {
        try (Peer source = openSource()) {
            sendTwoAlerts(source);
            source.expect(Frame.Ack.class);
            long started = System.nanoTime();
            assertFalse(engine.drain(Duration.ofMillis(300)), "no sink: nothing can be committed");
            assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() >= 300);
            assertEquals(2, engine.registry().budget().pending());
        }
    }

    @Test
    void whileDrainingSourcesGetNoNewCreditsAndNoNewSourceConnectionIsAccepted() throws Exception {
        int sourcePort = engine.sourcePort();
        try (Peer source = openSource()) {
            assertTrue(engine.drain(Duration.ZERO), "nothing held yet: drained at once");
            sendTwoAlerts(source); // down to the refill level: an accepting engine would top it up now
            source.expectSilence(300);
            assertThrows(ConnectException.class, () -> Peer.connect(sourcePort));
            // A sink may still connect and take what is held.
            try (Peer sink = Peer.connect(engine.sinkPort())) {
                assertEquals(0, sink.hello(""));
            }
        }
    }
}
