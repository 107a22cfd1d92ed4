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
    void aHundredConnectorsHoldTheirPlacesAndTheNextHundredAreRefusedAtOnce() throws Exception {
        // The first hundred say HELLO, so no handshake timeout frees their places while the rest arrive: on a
        // busy machine accepting 200 connections can take longer than this class's 500 ms timeout, and a
        // crowd of silent peers made the count depend on the machine's speed. (Silent peers timing out is
        // covered above and in LimitsTest.)
        List<Peer> peers = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                Peer peer = Peer.connect(engine.sourcePort());
                peers.add(peer);
                peer.hello("");
            }
            List<Peer> crowd = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                crowd.add(Peer.connect(engine.sourcePort()));
            }
            peers.addAll(crowd);
            for (Peer peer : crowd) {
                assertReason("too many connections", peer.expectErrorAndClose());
            }
            assertEquals(100, count("wallaby.limit.hits", "kind", "connections"));
        } finally {
            for (Peer peer : peers) {
                peer.close();
            }
        }
        // The places are free again once the crowd has gone.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos(); // a guard, not a timing: it ends at 0
        while (engine.metrics().registry().get("wallaby.connections").tag("port", "source").gauge().value() > 0
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, engine.metrics().registry().get("wallaby.connections").tag("port", "source").gauge().value());
    }
}
