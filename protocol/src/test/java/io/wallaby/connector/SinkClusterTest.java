package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Points;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One sink runner draining two engines (a cluster) into one task, against tests that play the engines over
 * real TCP. Batches hold one message each, so what a batch holds never depends on timing; the tests wait for
 * what the engines read (acknowledgements, credits), never for time.
 */
class SinkClusterTest {

    private static final String S1 = "alert_log/transactions.0";
    private static final long S1_ID = StreamIds.of(S1);
    private static final String S2 = "alert_log/transactions.1";
    private static final long S2_ID = StreamIds.of(S2);

    private FakeEngine a;
    private FakeEngine b;
    private final SinkRunner runner = new SinkRunner();
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    @BeforeEach
    void start() throws Exception {
        a = new FakeEngine();
        b = new FakeEngine();
    }

    @AfterEach
    void stop() throws Exception {
        runner.stop();
        a.close();
        b.close();
    }

    /** Stores in memory and checks the task's contract: one thread, one call at a time, nothing twice. */
    private static final class MemoryTask implements SinkTask {
        final Map<String, Long> points = new ConcurrentHashMap<>();
        final Map<String, List<Long>> stored = new ConcurrentHashMap<>();
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<String> violations = new CopyOnWriteArrayList<>();
        private final AtomicInteger inCall = new AtomicInteger();
        private volatile Thread caller;

        private void enter(String call) {
            calls.add(call);
            if (inCall.incrementAndGet() != 1) {
                violations.add("two calls at once: " + call);
            }
            if (caller == null) {
                caller = Thread.currentThread();
            } else if (caller != Thread.currentThread()) {
                violations.add(call + " on another thread: " + Thread.currentThread().getName());
            }
        }

        @Override
        public void connected() {
            enter("connected");
            inCall.decrementAndGet();
        }

        @Override
        public long committedPoint(String streamName) {
            enter("committedPoint " + streamName);
            inCall.decrementAndGet();
            return points.getOrDefault(streamName, Frame.U64_MAX);
        }

        @Override
        public void store(List<SinkMessage> batch) {
            enter("store");
            for (SinkMessage m : batch) {
                long point = points.getOrDefault(m.streamName(), Frame.U64_MAX);
                if (!Points.isAfter(m.messageId(), point)) {
                    violations.add("message " + m.messageId() + " of " + m.streamName() + " at or below " + point);
                }
                points.put(m.streamName(), m.messageId());
                stored.computeIfAbsent(m.streamName(), s -> new CopyOnWriteArrayList<>()).add(m.messageId());
            }
            inCall.decrementAndGet();
        }
    }

    private void run(SinkTask task, FakeEngine... engines) {
        Thread thread = new Thread(() -> {
            try {
                runner.run(FakeEngine.settings(engines), task, 1, Duration.ofMillis(50));
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "sink-cluster-test");
        thread.setDaemon(true);
        thread.start();
    }

    private static Frame.Message message(long stream, long id) {
        return Frame.Message.of(stream, id, ("alert " + id).getBytes(StandardCharsets.UTF_8));
    }

    /** What one engine has read of the sink's ACKs: the credits given back (after the first window) and points. */
    private static final class Acks {
        long credits;
        final Map<Long, Long> points = new ConcurrentHashMap<>();
        final List<Long> streams = new ArrayList<>();

        /** Reads ACKs until {@code credits} were given back and {@code stream} was acknowledged up to {@code point}. */
        Acks readUntil(FakeEngine engine, long credits, long stream, long point) throws IOException {
            while (this.credits < credits || points.getOrDefault(stream, -1L) != point) {
                Frame.Ack ack = engine.read(Frame.Ack.class);
                this.credits += ack.credits();
                for (Frame.StreamPoint p : ack.points()) {
                    points.merge(p.streamId(), p.pointOfReference(), Math::max);
                    streams.add(p.streamId());
                }
            }
            assertEquals(credits, this.credits, "credits given back for every message the engine sent");
            return this;
        }
    }

    /** Accepts the runner's connection and reads its first grant of credits. */
    private static void accept(FakeEngine engine) throws IOException {
        engine.acceptAndOk(0);
        assertEquals(new Frame.Ack(SinkConnector.DEFAULT_CREDIT_WINDOW, List.of()), engine.read(Frame.Ack.class));
    }

    private static long announce(FakeEngine engine, String stream) throws IOException {
        long id = StreamIds.of(stream);
        engine.send(new Frame.Notify(id, stream, Frame.U64_MAX));
        Frame.NotifyAck answer = engine.read(Frame.NotifyAck.class);
        assertEquals(id, answer.streamId());
        return answer.pointOfReference();
    }

    /** Stops the runner, waits for it, and checks each engine saw its session end after the last ACK read. */
    private void finish(MemoryTask task) throws Exception {
        runner.stop();
        done.get(20, TimeUnit.SECONDS);
        for (FakeEngine engine : List.of(a, b)) {
            assertThrows(IOException.class, () -> {
                while (true) {
                    engine.read(Frame.Ack.class); // nothing but ACKs of nothing new may still come
                }
            });
        }
        assertEquals(List.of(), task.violations);
    }

    @Test
    void twoEnginesFeedOneTaskAndAStreamOfferedByBothAroundAMoveIsStoredOnce() throws Exception {
        MemoryTask task = new MemoryTask();
        run(task, a, b);
        accept(a);
        accept(b);
        assertEquals(Frame.U64_MAX, announce(a, S1));
        assertEquals(Frame.U64_MAX, announce(b, S2));
        for (long id = 1; id <= 3; id++) {
            a.send(message(S1_ID, id));
        }
        b.send(message(S2_ID, 1));
        b.send(message(S2_ID, 2));
        Acks fromA = new Acks().readUntil(a, 3, S1_ID, 3);
        Acks fromB = new Acks().readUntil(b, 2, S2_ID, 2);
        assertTrue(fromA.streams.stream().allMatch(s -> s == S1_ID), "A is acknowledged only what it announced");
        assertTrue(fromB.streams.stream().allMatch(s -> s == S2_ID), "B is acknowledged only what it announced");

        // S1 moves from A to B: B announces it and is told what is committed; both send from 4 at once.
        assertEquals(3L, announce(b, S1));
        a.send(message(S1_ID, 4));
        a.send(message(S1_ID, 5));
        for (long id = 4; id <= 6; id++) {
            b.send(message(S1_ID, id));
        }
        fromA.readUntil(a, 5, S1_ID, 6); // A's 4 and 5, stored or skipped, given back; and S1's point
        fromB.readUntil(b, 5, S1_ID, 6);
        finish(task);

        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), task.stored.get(S1), "each id once, in order");
        assertEquals(List.of(1L, 2L), task.stored.get(S2));
        assertEquals(List.of("connected", "committedPoint " + S1, "committedPoint " + S2, "committedPoint " + S1),
                task.calls.stream().filter(c -> !c.equals("store")).toList());
    }

    @Test
    void anEngineThatIsNotUpYetIsRetriedWhileTheOthersAreDrained() throws Exception {
        MemoryTask task = new MemoryTask();
        task.points.put(S2, 4L); // B's stream was stored up to 4 by an earlier run
        run(task, a, b);
        b.accept(); // B is starting: it hangs up without an answer
        b.dropConnection();
        accept(a);
        announce(a, S1);
        a.send(message(S1_ID, 1));
        new Acks().readUntil(a, 1, S1_ID, 1);

        b.accept(); // and again
        b.dropConnection();
        accept(b); // now B is up: picked up by the same runner
        assertEquals(4L, announce(b, S2));
        b.send(message(S2_ID, 4)); // a duplicate, skipped
        b.send(message(S2_ID, 5));
        new Acks().readUntil(b, 2, S2_ID, 5);
        finish(task);

        assertEquals(List.of(1L), task.stored.get(S1));
        assertEquals(List.of(5L), task.stored.get(S2));
        assertEquals(1, task.calls.stream().filter("connected"::equals).count());
    }

    /** An {@link EngineDiscovery} the test plays: it reports what the test tells it to, as often as it is told. */
    private static final class HandDiscovery implements EngineDiscovery {
        final CompletableFuture<java.util.function.Consumer<EngineAddress>> started = new CompletableFuture<>();
        volatile boolean closed;

        @Override
        public void start(java.util.function.Consumer<EngineAddress> found) {
            started.complete(found);
        }

        @Override
        public void close() {
            closed = true;
        }

        void report(FakeEngine... engines) throws Exception {
            for (FakeEngine engine : engines) {
                started.get(20, TimeUnit.SECONDS).accept(engine.address());
            }
        }
    }

    @Test
    void enginesFoundWhileRunningAreDialledOnceEachAndTheGivenDefaultIsNot() throws Exception {
        MemoryTask task = new MemoryTask();
        HandDiscovery discovery = new HandDiscovery();
        FakeEngine unused = new FakeEngine(); // stands for the command line's default --engine-host, not dialled
        try {
            runner.discoverWith(discovery, false);
            Thread thread = new Thread(() -> {
                try {
                    runner.run(unused.settings(), task, 1, Duration.ofMillis(50));
                    done.complete(null);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            }, "sink-cluster-test");
            thread.setDaemon(true);
            thread.start();

            discovery.report(a);
            accept(a);
            announce(a, S1);
            a.send(message(S1_ID, 1));
            new Acks().readUntil(a, 1, S1_ID, 1);

            discovery.report(a, b, a); // b joined the cluster; a is reported again, as every look does
            accept(b);
            announce(b, S2);
            b.send(message(S2_ID, 1));
            b.send(message(S2_ID, 2));
            new Acks().readUntil(b, 2, S2_ID, 2);
            a.send(message(S1_ID, 2));
            new Acks().readUntil(a, 1, S1_ID, 2); // a's one session goes on: it was not dialled a second time
            finish(task);
            assertTrue(discovery.closed, "the runner closes the discovery when it returns");
            for (FakeEngine engine : List.of(a, unused)) { // a dial would be waiting in the backlog by now
                engine.server.setSoTimeout(200);
                assertThrows(java.net.SocketTimeoutException.class, engine.server::accept,
                        "no other connection to " + engine.address());
            }
        } finally {
            unused.close();
        }
        assertEquals(List.of(1L, 2L), task.stored.get(S1));
        assertEquals(List.of(1L, 2L), task.stored.get(S2));
    }

    @Test
    void aStopWhileNoEngineWasFoundYetEndsTheRunAtOnce() throws Exception {
        HandDiscovery discovery = new HandDiscovery(); // finds nothing
        runner.discoverWith(discovery, false);
        Thread thread = new Thread(() -> {
            try {
                runner.run(a.settings(), new MemoryTask(), 1, Duration.ofMillis(50));
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "sink-cluster-test");
        thread.setDaemon(true);
        thread.start();
        discovery.started.get(20, TimeUnit.SECONDS); // run is under way, waiting for an engine
        runner.stop();
        done.get(20, TimeUnit.SECONDS); // returns, without an exception
        assertTrue(discovery.closed);
    }
}
