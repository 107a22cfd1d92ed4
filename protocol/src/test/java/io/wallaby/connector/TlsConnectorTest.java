package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --tls-trust: the SDK dials a TLS engine (a {@link FakeEngine} with a certificate the test makes). */
class TlsConnectorTest {

    private static final String STREAM = "secure-stream";
    private static final long ID = StreamIds.of(STREAM);

    private static TestCertificate engineCertificate;
    private static TestCertificate otherCertificate;

    @TempDir
    static Path dir;

    @BeforeAll
    static void makeCertificates() throws Exception {
        engineCertificate = TestCertificate.selfSigned();
        otherCertificate = TestCertificate.selfSigned();
    }

    private static void close(SourceConnector connector) throws Exception {
        CompletableFuture.runAsync(() -> connector.close(Duration.ofMillis(300))).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aTrustingSourceConnectorSaysHelloAndSendsAMessageOverTls() throws Exception {
        Path trust = engineCertificate.writePem(dir.resolve("engine.pem"));
        try (FakeEngine engine = new FakeEngine(engineCertificate.serverContext())) {
            SourceConnector connector = new SourceConnector(engine.settings().withTlsTrust(trust));
            try {
                CompletableFuture<Long> opened = CompletableFuture.supplyAsync(() -> {
                    connector.connect();
                    return connector.openStream(STREAM);
                });
                assertEquals(new Frame.Hello("0.0.1", "secret", "test-prog", "test-inst"), engine.acceptAndOk(10));
                assertEquals(new Frame.Notify(ID, STREAM, Frame.U64_MAX), engine.read(Frame.Notify.class));
                engine.send(new Frame.NotifyAck(true, ID, 6));
                assertEquals(6L, opened.get(10, TimeUnit.SECONDS));
                byte[] payload = "{\"id\":7}".getBytes(StandardCharsets.UTF_8);
                assertEquals(7L, connector.write(payload));
                connector.flush();
                assertEquals(Frame.Message.of(ID, 7, payload), engine.read(Frame.Message.class));
                assertTrue(engine.socket instanceof javax.net.ssl.SSLSocket);
            } finally {
                close(connector);
            }
        }
    }

    @Test
    void trustingAnotherCertificateFailsTheHandshakeAndRetries() throws Exception {
        Path trust = otherCertificate.writePem(dir.resolve("other.pem"));
        try (FakeEngine engine = new FakeEngine(engineCertificate.serverContext());
             LogLines lines = new LogLines(SourceConnector.class)) {
            SourceConnector connector = new SourceConnector(engine.settings().withTlsTrust(trust));
            try {
                CompletableFuture<Void> connected = CompletableFuture.runAsync(connector::connect);
                assertThrows(Exception.class, engine::accept); // the client rejects the certificate: no HELLO
                String line = lines.await(m -> m.contains("TLS handshake"));
                assertTrue(line.contains("other.pem"), line);
                assertTrue(line.contains("retrying in"), line);
                assertThrows(Exception.class, engine::accept); // and tries again, with the same result
                assertFalse(connected.isDone());
            } finally {
                close(connector);
            }
        }
    }

    @Test
    void aPlainConnectorGetsNoSessionFromATlsEngine() throws Exception {
        try (FakeEngine engine = new FakeEngine(engineCertificate.serverContext())) {
            SourceConnector connector = new SourceConnector(engine.settings());
            try {
                CompletableFuture<Void> connected = CompletableFuture.runAsync(connector::connect);
                assertThrows(Exception.class, engine::accept); // plain HELLO is no TLS ClientHello: no session
                // The TLS alert the engine answers with is no frame: the connector fails rather than retries.
                Throwable failure = connected.handle((v, e) -> e).get(10, TimeUnit.SECONDS);
                assertTrue(failure != null && failure.getCause() instanceof io.wallaby.protocol.ProtocolException,
                        String.valueOf(failure));
                assertTrue(failure.getCause().getMessage().contains("--tls-trust"), failure.getCause().getMessage());
            } finally {
                close(connector);
            }
        }
    }

    @Test
    void aTlsConnectorLogsAPlainEngineClearlyAndRetries() throws Exception {
        Path trust = engineCertificate.writePem(dir.resolve("engine-2.pem"));
        try (FakeEngine engine = new FakeEngine();
             LogLines lines = new LogLines(SourceConnector.class)) {
            SourceConnector connector = new SourceConnector(engine.settings().withTlsTrust(trust));
            try {
                CompletableFuture<Void> connected = CompletableFuture.runAsync(connector::connect);
                engine.accept(); // reads the ClientHello as if it were a frame...
                engine.dropConnection(); // ...and a plain engine would close such a session
                String line = lines.await(m -> m.contains("TLS handshake"));
                assertTrue(line.contains("--tls-cert"), line);
                assertFalse(connected.isDone());
            } catch (Exception readingGarbage) {
                // The plain side may fail to parse the ClientHello before the drop: the log line still counts.
                engine.dropConnection();
                assertTrue(lines.await(m -> m.contains("TLS handshake")).contains("--tls-cert"));
            } finally {
                close(connector);
            }
        }
    }

    /** The sink dials through the same Dialer as the source: TLS from its settings, kept across a RESTART. */
    @Test
    void aSinkDialsTlsFromItsSettingsAlsoAfterARestart() throws Exception {
        Path trust = engineCertificate.writePem(dir.resolve("sink.pem"));
        try (FakeEngine tls = new FakeEngine(engineCertificate.serverContext());
             FakeEngine tlsOther = new FakeEngine(engineCertificate.serverContext());
             SinkConnector sink = new SinkConnector(tls.settings().withTlsTrust(trust), 50)) {
            CompletableFuture<Void> connected = CompletableFuture.runAsync(() -> sink.connect(s -> Frame.U64_MAX));
            tls.acceptAndOk(0);
            connected.get(10, TimeUnit.SECONDS);
            assertEquals(new Frame.Ack(50, List.of()), tls.read(Frame.Ack.class));

            CompletableFuture<SinkMessage> read = CompletableFuture.supplyAsync(sink::read);
            tls.send(new Frame.Restart("127.0.0.1:" + tlsOther.port()));
            tlsOther.acceptAndOk(0); // only a TLS client gets this far: the server socket speaks nothing else
            assertEquals(new Frame.Ack(50, List.of()), tlsOther.read(Frame.Ack.class));
            tlsOther.send(new Frame.Notify(ID, STREAM, Frame.U64_MAX));
            tlsOther.send(Frame.Message.of(ID, 1, "secure".getBytes(StandardCharsets.UTF_8)));
            assertEquals("secure", read.get(10, TimeUnit.SECONDS).payloadText());
        }
    }

    @Test
    void aMissingTrustFileIsAConfigurationError() {
        Path missing = dir.resolve("nowhere.pem");
        ConnectorSettings settings = new ConnectorSettings("127.0.0.1", 7100, "", "p", "i", 1 << 20, missing);
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> new SourceConnector(settings));
        assertTrue(e.getMessage().contains("--tls-trust " + missing), e.getMessage());
        assertThrows(ConfigurationException.class, () -> new SinkConnector(settings));
    }

    @Test
    void aTrustFileWithoutACertificateIsAConfigurationError() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");
        assertThrows(ConfigurationException.class,
                () -> new SourceConnector(new ConnectorSettings("127.0.0.1", 7100, "", "p", "i", 1 << 20, empty)));
    }

    @Command(name = "tls-probe")
    static final class Probe implements Runnable {
        @Mixin
        ConnectorOptions.Source engine;
        ConnectorSettings settings;

        @Override
        public void run() {
            settings = engine.settings("tls-probe");
        }
    }

    @Test
    void theMixinCarriesTlsTrustAndExitsWithTwoWhenTheFileIsMissing() throws Exception {
        Path trust = engineCertificate.writePem(dir.resolve("mixin.pem"));
        Probe probe = new Probe();
        assertEquals(ConnectorCommandLine.OK, ConnectorCommandLine.execute(probe, "--tls-trust", trust.toString()));
        assertEquals(trust, probe.settings.tlsTrust());
        Probe plain = new Probe();
        assertEquals(ConnectorCommandLine.OK, ConnectorCommandLine.execute(plain));
        assertEquals(null, plain.settings.tlsTrust());
        assertEquals(ConnectorCommandLine.CONFIGURATION_ERROR,
                ConnectorCommandLine.execute(new Probe(), "--tls-trust", dir.resolve("missing.pem").toString()));
    }
}
