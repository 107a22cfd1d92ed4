package io.wallaby.engine;

import io.micrometer.core.instrument.MeterRegistry;
import io.wallaby.apps.AlertStateless;
import io.wallaby.engine.guard.ConnectionLimits;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.FrameWriter;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;

import static io.wallaby.engine.Peer.assertReason;
import static io.wallaby.engine.SourceSessionTest.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each limit of {@link ConnectionLimits}, hit over real sockets: answered, counted, and nobody else disturbed. */
class LimitsTest {

    private EngineServer engine;

    private void start(ConnectionLimits limits) throws Exception {
        engine = new EngineServer(EngineConfig.onFreePorts().withLimits(limits), new AlertStateless()).start();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private double hits(String kind) {
        return engine.metrics().registry().get("wallaby.limit.hits").tag("kind", kind).functionCounter().count();
    }

    private double openConnections(String port) {
        MeterRegistry meters = engine.metrics().registry();
        return meters.get("wallaby.connections").tag("port", port).gauge().value();
    }

    /** A connector that opens a stream, sends one message and is acknowledged. */
    private void aGoodSourceFlows(String stream) throws IOException {
        try (Peer good = Peer.connect(engine.sourcePort())) {
            good.hello("");
            assertTrue(good.notifyStream(stream).success());
            good.send(message(stream, 1, "{\"id\":1,\"amount\":5}"));
            good.awaitAck(StreamIds.of(stream), 1);
        }
    }

    @Test
    void oneConnectionTooManyGetsErrorWhileTheOthersKeepTheirs() throws Exception {
        start(new ConnectionLimits(2, Duration.ofSeconds(10), Duration.ZERO, 1000));
        try (Peer first = Peer.connect(engine.sourcePort()); Peer second = Peer.connect(engine.sourcePort())) {
            // Said HELLO: both are surely counted before the third arrives.
            first.hello("");
            second.hello("");
            try (Peer third = Peer.connect(engine.sourcePort())) {
                String reason = third.expectErrorAndClose();
                assertReason("too many connections: this port takes at most 2", reason);
                assertReason("--max-connections", reason);
            }
            assertEquals(1, hits("connections"));
            assertTrue(first.notifyStream("first-still-works").success());
            // The sink port counts its own connections.
            try (Peer sink = Peer.connect(engine.sinkPort())) {
                assertEquals(0, sink.hello(""));
            }
        }
        // Closed connections free their places.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (openConnections("source") > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        aGoodSourceFlows("after-connection-limit");
    }

    @Test
    void aConnectionThatSaysNothingIsClosedAtTheHandshakeTimeout() throws Exception {
        start(new ConnectionLimits(100, Duration.ofMillis(300), Duration.ZERO, 1000));
        try (Peer silent = Peer.connect(engine.sourcePort()); Peer silentSink = Peer.connect(engine.sinkPort())) {
            assertReason("no HELLO within 300 ms", silent.expectErrorAndClose());
            assertReason("--handshake-timeout", silentSink.expectErrorAndClose());
        }
        assertEquals(2, hits("handshake_timeout"));
        aGoodSourceFlows("after-silence");
    }

    @Test
    void aHelloCutInHalfThenSilenceIsClosedAtTheHandshakeTimeout() throws Exception {
        start(new ConnectionLimits(100, Duration.ofMillis(300), Duration.ZERO, 1000));
        ByteArrayOutputStream hello = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(hello);
        writer.write(new Frame.Hello(Frame.VERSION, "", "test", "half"));
        writer.flush();
        try (Peer half = Peer.connect(engine.sourcePort())) {
            half.sendRaw(Arrays.copyOf(hello.toByteArray(), hello.size() / 2));
            assertReason("no HELLO within 300 ms", half.expectErrorAndClose());
        }
        aGoodSourceFlows("after-half-a-frame");
    }

    @Test
    void theHandshakeTimeoutDoesNotTouchASessionThatSaidHello() throws Exception {
        start(new ConnectionLimits(100, Duration.ofMillis(200), Duration.ZERO, 1000));
        try (Peer source = Peer.connect(engine.sourcePort())) {
            source.hello("");
            source.expectSilence(500);
            assertTrue(source.notifyStream("still-here").success());
        }
        assertEquals(0, hits("handshake_timeout"));
    }

    @Test
    void aConnectionThatFallsSilentIsClosedAtTheIdleTimeout() throws Exception {
        start(new ConnectionLimits(100, Duration.ofSeconds(10), Duration.ofMillis(300), 1000));
        try (Peer quiet = Peer.connect(engine.sinkPort())) {
            quiet.hello("");
            String reason = quiet.expectErrorAndClose();
            assertReason("no frame for 300 ms", reason);
            assertReason("--idle-timeout", reason);
        }
        assertEquals(1, hits("idle_timeout"));
    }

    @Test
    void aStreamBeyondTheLimitIsRefusedWithNotifyAckZeroAndTheOthersKeepFlowing() throws Exception {
        start(new ConnectionLimits(100, Duration.ofSeconds(10), Duration.ZERO, 2));
        try (Peer source = Peer.connect(engine.sourcePort())) {
            source.hello("");
            assertTrue(source.notifyStream("first").success());
            assertTrue(source.notifyStream("second").success());
            assertFalse(source.notifyStream("third").success());
            assertEquals(1, hits("streams_per_connection"));
            // Re-notifying a stream it holds is not a new stream.
            assertTrue(source.notifyStream("first").success());
            source.send(message("first", 1, "{\"id\":1,\"amount\":5}"));
            source.awaitAck(StreamIds.of("first"), 1);
        }
    }
}
