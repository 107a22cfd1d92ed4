package io.wallaby.engine;

import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.wallaby.apps.AlertStateless;
import io.wallaby.connector.ConnectorSettings;
import io.wallaby.connector.SinkConnector;
import io.wallaby.connector.SinkMessage;
import io.wallaby.connector.SourceConnector;
import io.wallaby.protocol.Frame;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The SDK's --tls-trust against the real engine's --tls-cert/--tls-key: a SourceConnector and a
 * SinkConnector, both over TLS, carry a transaction through an in-process EngineServer to its alert.
 */
class TlsConnectorsEndToEndTest {

    @Test
    void aSourceAndASinkConnectorCarryAnAlertOverTls() throws Exception {
        SelfSignedCertificate certificate = new SelfSignedCertificate("localhost"); // CN=localhost, via BouncyCastle
        try (EngineServer engine = new EngineServer(EngineConfig.onFreePorts().withTls(new EngineConfig.Tls(
                certificate.certificate().toPath(), certificate.privateKey().toPath())), new AlertStateless()).start()) {
            // The connectors dial "localhost": the name the certificate carries, which the SDK checks.
            ConnectorSettings source = new ConnectorSettings("localhost", engine.sourcePort(), "", "tls-e2e-source",
                    "s1", 1 << 20, certificate.certificate().toPath());
            ConnectorSettings sink = new ConnectorSettings("localhost", engine.sinkPort(), "", "tls-e2e-sink",
                    "k1", 1 << 20, certificate.certificate().toPath());

            SinkConnector sinkConnector = new SinkConnector(sink);
            SourceConnector sourceConnector = new SourceConnector(source);
            try {
                sinkConnector.connect(stream -> Frame.U64_MAX);
                sourceConnector.connect();
                sourceConnector.openStream("transactions");
                sourceConnector.write("{\"id\":1,\"amount\":5000}".getBytes(StandardCharsets.UTF_8));
                sourceConnector.write("{\"id\":2,\"amount\":10}".getBytes(StandardCharsets.UTF_8));
                sourceConnector.write("{\"id\":3,\"amount\":-2000}".getBytes(StandardCharsets.UTF_8));
                sourceConnector.flush();

                List<String> alerts = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (alerts.size() < 2 && System.nanoTime() < deadline) {
                    List<SinkMessage> batch = sinkConnector.readBatch(10, Duration.ofMillis(200));
                    batch.forEach(m -> alerts.add(m.streamName() + ": " + m.payloadText()));
                    if (!batch.isEmpty()) {
                        sinkConnector.commitMessages(batch);
                    }
                }
                assertEquals(List.of("alert_log/transactions: Deposit Alert for 1: 5000",
                        "alert_log/transactions: Withdrawal Alert for 3: -2000"), alerts);
            } finally {
                CompletableFuture.runAsync(() -> sourceConnector.close(Duration.ofSeconds(2))).get(10, TimeUnit.SECONDS);
                sinkConnector.close();
            }
        } finally {
            certificate.delete();
        }
    }
}
