package io.wallaby.engine;

import io.wallaby.apps.AlertStateless;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The ten thousand golden transactions through a running engine: a source connector that honours
 * its credits (small ones, so they are refilled a hundred times) and a sink that commits as it goes.
 */
class GoldenOverTheWireTest {

    private static final long SOURCE_ID = StreamIds.of("transactions");
    private static final long SINK_ID = StreamIds.of("alert_log/transactions");

    @Test
    void everyAlertArrivesOnceInOrderAndTheSourceIsAcknowledgedToTheEnd() throws Exception {
        List<String> transactions = lines("/golden/transactions_10000.csv");
        transactions = transactions.subList(1, transactions.size());
        List<String> golden = lines("/golden/alerts_10000.txt");

        EngineConfig config = EngineConfig.onFreePorts().withCredits(100, 50).withMaxPending(300);
        try (EngineServer engine = new EngineServer(config, new AlertStateless()).start();
             Peer source = Peer.connect(engine.sourcePort());
             Peer sink = Peer.connect(engine.sinkPort())) {
            Semaphore credits = new Semaphore((int) source.hello("") - 1);
            source.notifyStream("transactions");
            sink.hello("");
            CompletableFuture<List<String>> alerts = CompletableFuture.supplyAsync(() -> drain(sink, golden.size()));
            int last = transactions.size();
            CompletableFuture<Void> acknowledged = CompletableFuture.runAsync(() -> awaitEnd(source, credits, last));

            for (int i = 0; i < transactions.size(); i++) {
                String[] columns = transactions.get(i).split(",");
                if (!credits.tryAcquire()) {
                    source.send();
                    credits.acquire();
                }
                source.send(SourceSessionTest.message("transactions", i + 1,
                        "{\"id\":" + columns[0] + ",\"amount\":" + columns[1] + "}"));
            }
            assertEquals(golden, alerts.get(20, TimeUnit.SECONDS));
            acknowledged.get(20, TimeUnit.SECONDS);
            assertEquals(0, engine.registry().budget().pending());
        }
    }

    /** The sink: takes the stream, grants credits in rounds of 100, commits each round. */
    private static List<String> drain(Peer sink, int expected) {
        try {
            sink.expect(Frame.Notify.class);
            sink.send(new Frame.NotifyAck(true, SINK_ID, Frame.U64_MAX), new Frame.Ack(100, List.of()));
            List<String> alerts = new ArrayList<>();
            while (alerts.size() < expected) {
                Frame.Message message = sink.expect(Frame.Message.class);
                alerts.add(Peer.text(message));
                if (alerts.size() % 100 == 0 || alerts.size() == expected) {
                    sink.send(new Frame.Ack(100, List.of(new Frame.StreamPoint(SINK_ID, message.messageId()))));
                }
            }
            return alerts;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The source's ACK reader: hands refilled credits to the sender until the last message is acknowledged. */
    private static void awaitEnd(Peer source, Semaphore credits, long lastId) {
        try {
            while (true) {
                Frame.Ack ack = source.expect(Frame.Ack.class);
                credits.release((int) ack.credits());
                if (ack.points().contains(new Frame.StreamPoint(SOURCE_ID, lastId))) {
                    return;
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> lines(String resource) throws Exception {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                GoldenOverTheWireTest.class.getResourceAsStream(resource), StandardCharsets.UTF_8))) {
            return in.lines().toList();
        }
    }
}
