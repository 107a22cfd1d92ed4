package io.wallaby.engine;

import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.wallaby.apps.AlertStateless;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.net.Socket;
import java.security.KeyStore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --tls-cert and --tls-key: both connector ports speak TLS with a certificate the test makes. */
class TlsTest {

    private static SelfSignedCertificate certificate;
    private static EngineServer engine;
    private static SSLContext trusting;

    @BeforeAll
    static void start() throws Exception {
        certificate = new SelfSignedCertificate("localhost"); // BouncyCastle (a test dependency) makes it
        engine = new EngineServer(EngineConfig.onFreePorts().withTls(new EngineConfig.Tls(
                certificate.certificate().toPath(), certificate.privateKey().toPath())), new AlertStateless()).start();
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("engine", certificate.cert());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        trusting = SSLContext.getInstance("TLS");
        trusting.init(null, trust.getTrustManagers(), null);
    }

    @AfterAll
    static void stop() {
        engine.close();
        certificate.delete();
    }

    private static Peer overTls(int port) throws IOException {
        SSLSocket socket = (SSLSocket) trusting.getSocketFactory().createSocket("127.0.0.1", port);
        socket.startHandshake();
        return Peer.over(socket);
    }

    @Test
    void aSourceConnectorSaysHelloOverTls() throws IOException {
        try (Peer source = overTls(engine.sourcePort())) {
            assertEquals(EngineConfig.DEFAULT_MAX_CREDITS, source.hello(""));
            assertTrue(source.notifyStream("encrypted").success());
        }
    }

    @Test
    void aSinkConnectorSaysHelloOverTls() throws IOException {
        try (Peer sink = overTls(engine.sinkPort())) {
            assertEquals(0, sink.hello(""));
        }
    }

    @Test
    void plainTcpOnATlsPortGetsNoSession() throws Exception {
        try (Peer plain = Peer.over(new Socket("127.0.0.1", engine.sourcePort()))) {
            plain.send(new io.wallaby.protocol.Frame.Hello(io.wallaby.protocol.Frame.VERSION, "", "test", "plain"));
            assertThrows(Exception.class, () -> plain.expect(io.wallaby.protocol.Frame.Ok.class));
        }
        // Netty's SslHandler closes the connection before the failure reaches the counting handler.
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (tlsFailures() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, tlsFailures());
    }

    private static double tlsFailures() {
        return engine.metrics().registry().get("wallaby.protocol.errors").tag("kind", "tls").functionCounter().count();
    }
}
