package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A sink connector drains two engines; one of them freezes (as SIGSTOP: it reads nothing, its connection
 * stays open) after both announced the same sink stream, as the old and the new owner do around a move. The
 * sink goes on storing what the other engine delivers and committing it, and each commit is acknowledged to
 * both engines, the frozen one too: those acknowledgements must not fill the frozen engine's socket and stop
 * the sink's one thread. The engines are played over real TCP; every step waits for a condition.
 */
class SinkSilentEngineTest {

    private static final String S = "alert_log/transactions.0";
    private static final long S_ID = StreamIds.of(S);
    /** Commits enough to fill any socket buffer with acknowledgements (some 30 bytes each): 12 MB. */
    private static final long COMMITS = 400_000;

    private FakeEngine a;
    private FakeEngine b;
    private SinkConnector sink;

    @BeforeEach
    void start() throws Exception {
        a = new FakeEngine();
        a.server.setReceiveBufferSize(4096); // a frozen engine's socket fills sooner: the test runs faster
        b = new FakeEngine();
    }

    @AfterEach
    void stop() throws Exception {
        if (sink != null) {
            sink.close();
        }
        a.close();
        b.close();
    }

    @Test
    void acknowledgementsForAFrozenEngineDoNotStopTheSink() throws Exception {
        sink = new SinkConnector(FakeEngine.settings(a, b), 100);
        CompletableFuture<Void> connected = CompletableFuture.runAsync(() -> sink.connect(stream -> Frame.U64_MAX));
        a.acceptAndOk(0);
        assertEquals(new Frame.Ack(100, List.of()), a.read(Frame.Ack.class));
        b.acceptAndOk(0);
        connected.get(10, TimeUnit.SECONDS);

        // Both announce S (around a move); the sink answers each, on its thread, from within read().
        CompletableFuture<SinkMessage> first = CompletableFuture.supplyAsync(sink::read);
        assertEquals(new Frame.Ack(100, List.of()), b.read(Frame.Ack.class));
        a.send(new Frame.Notify(S_ID, S, Frame.U64_MAX));
        assertEquals(new Frame.NotifyAck(true, S_ID, Frame.U64_MAX), a.read(Frame.NotifyAck.class));
        b.send(new Frame.Notify(S_ID, S, Frame.U64_MAX));
        assertEquals(new Frame.NotifyAck(true, S_ID, Frame.U64_MAX), b.read(Frame.NotifyAck.class));
        b.send(Frame.Message.of(S_ID, 1, "alert 1".getBytes(StandardCharsets.UTF_8)));
        assertEquals(1, first.get(10, TimeUnit.SECONDS).messageId());

        // A freezes: the test reads nothing more from it. B's frames are read and the last point kept.
        AtomicLong lastToldB = new AtomicLong();
        Thread bReader = new Thread(() -> {
            try {
                while (true) {
                    if (b.read() instanceof Frame.Ack ack && !ack.points().isEmpty()) {
                        lastToldB.set(ack.points().get(ack.points().size() - 1).pointOfReference());
                    }
                }
            } catch (IOException e) {
                // closed at the end
            }
        }, "b-reader");
        bReader.setDaemon(true);
        bReader.start();

        CompletableFuture<Void> commits = CompletableFuture.runAsync(() -> {
            for (long point = 1; point <= COMMITS; point++) {
                sink.commit(S_ID, point);
            }
        });
        commits.get(60, TimeUnit.SECONDS);
        StreamWriters.awaitCondition("B told every commit", () -> lastToldB.get() == COMMITS);
        assertEquals(COMMITS, lastToldB.get(), "B was told every commit");

        // A wakes: it reads what the sink sent meanwhile, which ends with the last commit.
        long toldA = 0;
        while (toldA != COMMITS) {
            Frame.Ack ack = a.read(Frame.Ack.class);
            if (!ack.points().isEmpty()) {
                toldA = ack.points().get(0).pointOfReference();
            }
        }
    }
}
