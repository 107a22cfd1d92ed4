package io.wallaby.engine;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.wallaby.apps.AlertStateless;
import io.wallaby.connector.ConnectorSettings;
import io.wallaby.connector.SinkConnector;
import io.wallaby.connector.SinkMessage;
import io.wallaby.connector.SourceConnector;
import io.wallaby.protocol.Frame;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The SDK's engine silence timeout against the real engine, in the one case where a healthy engine stays silent
 * on a source connection that waits on it: its outputs wait for a sink that is not there, so it acknowledges
 * nothing and, once --max-pending outputs wait, grants no credit, for as long as that lasts. The engine answers
 * the connector's probes (a second connection's HELLO), so the connection is kept however long the sink is away;
 * once a sink comes, everything is acknowledged on it.
 */
class SourceWaitsForLaggingSinkTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final int MESSAGES = 300;
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @Test
    void aSourceWhoseEngineHoldsBackCreditsWhileNoSinkIsThereKeepsItsConnection() throws Exception {
        Logger sdkLog = (Logger) LoggerFactory.getLogger(SourceConnector.class);
        Level levelBefore = sdkLog.getLevel();
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        sdkLog.addAppender(lines);
        sdkLog.setLevel(Level.DEBUG);
        AtomicLong acknowledged = new AtomicLong();
        try (EngineServer engine = new EngineServer(EngineConfig.onFreePorts().withCredits(20, 10).withMaxPending(50),
                new AlertStateless()).start()) {
            ConnectorSettings sourceSettings = new ConnectorSettings("127.0.0.1", engine.sourcePort(), "",
                    "lagging-sink-source", "s1", 1 << 20).withEngineSilenceTimeout(TIMEOUT);
            SourceConnector source = new SourceConnector(sourceSettings, 1_000, (stream, point) -> acknowledged.set(point));
            SinkConnector sink = new SinkConnector(new ConnectorSettings("127.0.0.1", engine.sinkPort(), "",
                    "lagging-sink", "k1", 1 << 20));
            try {
                source.connect();
                source.openStream("transactions");
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    for (long id = 1; id <= MESSAGES; id++) {
                        // Each one an alert: an output that waits for the sink.
                        source.write("transactions", id, ("{\"id\":" + id + ",\"amount\":5000}")
                                .getBytes(StandardCharsets.UTF_8));
                    }
                    source.flush();
                });
                // Each probe comes after half the timeout of silence since the one before: four span two timeouts.
                Conditions.await(() -> count(lines, "answered a probe again") >= 3, PATIENCE, "the engine answered four probes");
                assertFalse(writer.isDone(), "the writer waits for credit the engine holds back");
                assertEquals(0, count(lines, "giving the connection up"), lines.list::toString);
                assertEquals(1, count(lines, "but it answers a new connection"), lines.list::toString);

                sink.connect(stream -> Frame.U64_MAX);
                int stored = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (stored < MESSAGES && System.nanoTime() < deadline) {
                    List<SinkMessage> batch = sink.readBatch(100, Duration.ofMillis(100));
                    stored += batch.size();
                    if (!batch.isEmpty()) {
                        sink.commitMessages(batch);
                    }
                }
                assertEquals(MESSAGES, stored, "every alert reached the sink");
                writer.get(20, TimeUnit.SECONDS);
                Conditions.await(() -> acknowledged.get() == MESSAGES, PATIENCE, "everything acknowledged");
                assertEquals(0, count(lines, "giving the connection up"), lines.list::toString);
                assertEquals(0, count(lines, "reopened"), "the stream never left its connection: " + lines.list);
            } finally {
                CompletableFuture.runAsync(() -> source.close(Duration.ofSeconds(2))).get(10, TimeUnit.SECONDS);
                sink.close();
            }
        } finally {
            sdkLog.detachAppender(lines);
            sdkLog.setLevel(levelBefore);
        }
    }

    private static long count(ListAppender<ILoggingEvent> lines, String part) {
        synchronized (lines.list) {
            return lines.list.stream().filter(e -> e.getFormattedMessage().contains(part)).count();
        }
    }
}
