package io.wallaby.engine;

import io.wallaby.apps.VelocityAlerts;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Points;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

import static io.wallaby.engine.SourceSessionTest.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The property of checkpoints: feeding the same messages in the same order through any sequence of engine
 * crashes and restores gives the same outputs with the same ids. Each run replays what a real source and sink
 * would: the source resends from the point the restored engine answers its NOTIFY with, and the sink stores
 * each output as it comes, skips ids at or below what it stored, and checks that a regenerated output is
 * byte for byte the one it stored under that id.
 */
class CrashAndRestoreTest {

    private static final String COOKIE = "crash";
    private static final String STREAM = "transactions";
    private static final long SOURCE_ID = StreamIds.of(STREAM);
    private static final long SINK_ID = StreamIds.of(VelocityAlerts.SINK + "/" + STREAM);
    private static final int MESSAGES = 600;

    @TempDir
    Path temp;

    @Test
    void anySequenceOfCrashesGivesTheOutputsOfARunWithoutOne() throws Exception {
        List<String> rows = rows(new Random(42));
        SortedMap<Long, String> reference = run(rows, List.of(), temp.resolve("reference"));
        assertFalse(reference.isEmpty(), "the rows must raise alerts, or the test proves nothing");
        Random random = new Random(7);
        for (int round = 0; round < 4; round++) {
            TreeSet<Integer> crashes = new TreeSet<>();
            while (crashes.size() < 3) {
                crashes.add(1 + random.nextInt(MESSAGES - 1));
            }
            assertEquals(reference, run(rows, List.copyOf(crashes), temp.resolve("crashes-" + round)),
                    "crashes after messages " + crashes);
        }
    }

    /** Rows of 8 accounts over a few minutes, mostly in order, some late, withdrawals large enough to alert. */
    private static List<String> rows(Random random) {
        List<String> rows = new ArrayList<>();
        Instant time = Instant.parse("2026-12-01T18:00:00Z");
        for (int i = 1; i <= MESSAGES; i++) {
            time = time.plusMillis(random.nextInt(1500));
            Instant created = random.nextInt(20) == 0 ? time.minusSeconds(random.nextInt(30)) : time;
            int amount = random.nextInt(4) == 0 ? random.nextInt(2000) : -random.nextInt(3000);
            rows.add("{\"id\":" + i + ",\"amount\":" + amount + ",\"account\":" + (1 + random.nextInt(8))
                    + ",\"created_at\":\"" + created + "\"}");
        }
        return rows;
    }

    /** Feeds {@code rows} (ids 1..n), crashing the engine right after sending row {@code crashes[i]}. */
    private static SortedMap<Long, String> run(List<String> rows, List<Integer> crashes, Path directory)
            throws Exception {
        EngineConfig config = EngineConfig.onFreePorts().toBuilder().cookie(COOKIE)
                .stateDir(directory.resolve("state")).deadLetterFile(directory.resolve("dead-letters.jsonl"))
                .checkpointInterval(Duration.ofMillis(20))
                .appConfig(Map.of("window", "10", "threshold", "4000", "lateness", "3")).build();
        directory.toFile().mkdirs();
        Sink sink = new Sink();
        for (int incarnation = 0; incarnation <= crashes.size(); incarnation++) {
            boolean last = incarnation == crashes.size();
            try (EngineServer engine = new EngineServer(config, new VelocityAlerts()).start();
                 Peer source = Peer.connect(engine.sourcePort())) {
                Thread draining = sink.drain(engine.sinkPort());
                source.hello(COOKIE);
                Frame.NotifyAck resumed = source.notifyStream(STREAM);
                long from = resumed.pointOfReference() == Points.NONE ? 1 : resumed.pointOfReference() + 1;
                long to = last ? rows.size() : crashes.get(incarnation);
                for (long id = from; id <= to; id++) {
                    source.send(message(STREAM, id, rows.get((int) id - 1)));
                }
                if (last) {
                    source.awaitAck(SOURCE_ID, rows.size());
                }
                engine.close(); // no drain: whatever is not in a checkpoint is lost, as with kill -9
                draining.join();
                if (sink.failure != null) {
                    throw new AssertionError("the sink failed", sink.failure);
                }
            }
        }
        return sink.stored;
    }

    /** A sink that stores each output as it arrives and commits it at once, as a real one does. */
    private static final class Sink {
        final SortedMap<Long, String> stored = new TreeMap<>();
        final AtomicLong committed = new AtomicLong(Points.NONE);

        volatile Throwable failure;

        /** Connects to the engine's sink port and stores what comes, on a thread of its own, until the engine goes. */
        Thread drain(int port) throws IOException {
            Peer peer = Peer.connect(port);
            Thread thread = new Thread(() -> {
                try (peer) {
                    peer.hello(COOKIE);
                    Frame.Notify notify = peer.expectWithoutTimeout(Frame.Notify.class);
                    assertEquals(SINK_ID, notify.streamId());
                    peer.send(new Frame.NotifyAck(true, SINK_ID, committed.get()), new Frame.Ack(1000, List.of()));
                    while (true) {
                        Frame frame = peer.readWithoutTimeout();
                        if (frame instanceof Frame.Message message) {
                            store(message);
                            peer.send(new Frame.Ack(1, List.of(new Frame.StreamPoint(SINK_ID, committed.get()))));
                        }
                    }
                } catch (EOFException | SocketException closed) {
                    // the engine went away
                } catch (Throwable e) {
                    failure = e;
                }
            }, "sink");
            thread.start();
            return thread;
        }

        private synchronized void store(Frame.Message message) {
            String text = Peer.text(message);
            long id = message.messageId();
            if (committed.get() != Points.NONE && Long.compareUnsigned(id, committed.get()) <= 0) {
                String before = stored.get(id);
                if (before != null && !before.equals(text)) {
                    throw new AssertionError("output " + id + " came back as \"" + text + "\", was \"" + before + "\"");
                }
                return;
            }
            stored.put(id, text);
            committed.set(id);
        }
    }
}
