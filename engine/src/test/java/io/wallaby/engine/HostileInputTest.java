package io.wallaby.engine;

import io.wallaby.apps.AlertStateless;
import io.wallaby.engine.guard.ConnectionLimits;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.wallaby.engine.Peer.assertReason;
import static io.wallaby.engine.SourceSessionTest.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Peers that are broken or hostile, against a running engine with the default limits (but a short
 * handshake timeout). After each, a well-behaved connector still flows and the case shows in the metrics.
 */
class HostileInputTest {

    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofMillis(500);

    private EngineServer engine;
    private int goodStreams;

    @BeforeEach
    void start() throws Exception {
        ConnectionLimits limits = new ConnectionLimits(ConnectionLimits.DEFAULT_MAX_CONNECTIONS, HANDSHAKE_TIMEOUT,
                Duration.ZERO, ConnectionLimits.DEFAULT_MAX_STREAMS_PER_CONNECTION);
        engine = new EngineServer(EngineConfig.onFreePorts().withLimits(limits), new AlertStateless()).start();
    }

    @AfterEach
    void aGoodConnectorStillFlows() throws Exception {
        try (Peer good = Peer.connect(engine.sourcePort())) {
            good.hello("");
            String name = "good-" + ++goodStreams;
            assertTrue(good.notifyStream(name).success());
            good.send(message(name, 1, "{\"id\":1,\"amount\":5}"));
            good.awaitAck(StreamIds.of(name), 1);
        } finally {
            engine.close();
        }
    }

    private double count(String meter, String tag, String value) {
        return engine.metrics().registry().get(meter).tag(tag, value).functionCounter().count();
    }

    /** Reads until the engine closes the connection; ERROR frames are allowed on the way, OK is not. */
    private static void expectEnded(Peer peer) throws IOException {
        try {
            while (true) {
                Frame frame = peer.read();
                assertEquals(Frame.Error.class, frame.getClass(), "only ERROR may come back, got " + frame);
            }
        } catch (EOFException | SocketException closed) {
            // ended, as expected
        }
    }

    @Test
    void randomBytesEndTheSessionWithErrorOrAtTheHandshakeTimeout() throws IOException {
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            byte[] noise = new byte[1 + random.nextInt(300)];
            random.nextBytes(noise);
            try (Peer noisy = Peer.connect(i % 2 == 0 ? engine.sourcePort() : engine.sinkPort())) {
                noisy.sendRaw(noise);
                expectEnded(noisy);
            }
        }
        double framing = count("wallaby.protocol.errors", "kind", "framing");
        double timeouts = count("wallaby.limit.hits", "kind", "handshake_timeout");
        assertEquals(20, framing + timeouts, "every noisy connection is counted: " + framing + " + " + timeouts);
    }

    @Test
    void aTwoGibLengthPrefixIsRefusedUnread() throws IOException {
        try (Peer greedy = Peer.connect(engine.sourcePort())) {
            greedy.sendRaw(new byte[] {(byte) 0x80, 0, 0, 0});
            assertReason("2147483648 bytes exceeds the maximum frame length", greedy.expectErrorAndClose());
        }
        assertEquals(1, count("wallaby.protocol.errors", "kind", "framing"));
    }

    @Test
    void aConnectionThatOpensAndSendsNothingIsClosed() throws IOException {
        long started = System.nanoTime();
        try (Peer silent = Peer.connect(engine.sourcePort())) {
            assertReason("no HELLO within 500 ms", silent.expectErrorAndClose());
        }
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(HANDSHAKE_TIMEOUT) >= 0);
        assertEquals(1, count("wallaby.limit.hits", "kind", "handshake_timeout"));
    }

    @Test
    void twoHundredConnectionsAtOnceGetAHundredPlacesAndAHundredErrorsAtOnce() throws Exception {
        List<Peer> peers = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                peers.add(Peer.connect(engine.sourcePort()));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (count("wallaby.limit.hits", "kind", "connections") < 100 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(100, count("wallaby.limit.hits", "kind", "connections"));
            // The refused hear so at once; the others, silent, at the handshake timeout.
            int refused = 0;
            int timedOut = 0;
            for (Peer peer : peers) {
                String reason = peer.expectErrorAndClose();
                if (reason.startsWith("too many connections")) {
                    refused++;
                } else {
                    assertReason("no HELLO within", reason);
                    timedOut++;
                }
            }
            assertEquals(100, refused);
            assertEquals(100, timedOut);
        } finally {
            for (Peer peer : peers) {
                peer.close();
            }
        }
        // The places are free again once the crowd has gone.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (engine.metrics().registry().get("wallaby.connections").tag("port", "source").gauge().value() > 0
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, engine.metrics().registry().get("wallaby.connections").tag("port", "source").gauge().value());
    }
}
