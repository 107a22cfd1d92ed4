package io.wallaby.source.postgres;

import io.wallaby.connector.SourceConnector;
import io.wallaby.connector.StreamTakenOverException;
import io.wallaby.source.postgres.admin.SourceFigures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/**
 * Runs a partitioned source ({@code --partitions N}): one capture per partition stream, each on its own
 * thread, all writing through one {@link SourceConnector} (one connection per engine). The SDK serialises the
 * calls on each stream, not across streams: a capture whose stream waits for its engine (the engine died or
 * froze, the stream's partition is between owners) waits alone, and the others go on. Each capture is
 * exactly the unpartitioned one restricted to its partition, with its own ids, acknowledgements and
 * recorded position, so each stream is acknowledged, and its changes forgotten, on its own.
 *
 * <p>The streams are opened one after the other before any capture starts (a stream open elsewhere waits
 * as a standby). When one capture fails, or its stream is taken over by another instance, the others are
 * stopped too (they drain and close their streams); after a take-over every capture starts over from what
 * is recorded once the engine gives the streams back, as an unpartitioned source does.
 */
final class PartitionedCaptures {

    private static final Logger log = LoggerFactory.getLogger(PartitionedCaptures.class);

    /** One partition's capture, as {@link ChangeCapture} and the logical capture both are. */
    interface Capture {
        void run(SourceConnector connector, long enginePoint, BooleanSupplier stopping, Duration shutdownTimeout)
                throws Exception;

        void onAcknowledged(String stream, long point);

        SourceFigures figures();
    }

    private final List<String> streams;
    private final IntFunction<Capture> captureOf;
    private volatile List<Capture> captures;

    /**
     * @param streams   the partition streams, in partition order
     * @param captureOf makes partition p's capture, fresh (also to start over after a take-over)
     */
    PartitionedCaptures(List<String> streams, IntFunction<Capture> captureOf) {
        this.streams = List.copyOf(streams);
        this.captureOf = captureOf;
        this.captures = fresh();
    }

    /** The SDK's acknowledgement listener: each capture keeps the points of its own stream. */
    void onAcknowledged(String stream, long point) {
        for (Capture capture : captures) {
            capture.onAcknowledged(stream, point);
        }
    }

    /** The captures' figures added up (the lag is the largest); down when any capture is. */
    SourceFigures figures() {
        return new SourceFigures() {
            @Override
            public long messagesSent() {
                return captures.stream().mapToLong(c -> c.figures().messagesSent()).sum();
            }

            @Override
            public long messagesAcknowledged() {
                return captures.stream().mapToLong(c -> c.figures().messagesAcknowledged()).sum();
            }

            @Override
            public double lagSeconds() {
                return captures.stream().mapToDouble(c -> c.figures().lagSeconds()).max().orElse(0);
            }

            @Override
            public Health health() {
                for (int p = 0; p < captures.size(); p++) {
                    Health health = captures.get(p).figures().health();
                    if (!health.ok()) {
                        return Health.down(streams.get(p) + ": " + health.reason());
                    }
                }
                return Health.OK;
            }
        };
    }

    /** Captures until {@code stopping}, taking the streams back after a take-over; see the class comment. */
    int run(SourceConnector connector, BooleanSupplier stopping, Duration shutdownTimeout) throws Exception {
        connector.connect();
        while (true) {
            long[] points = new long[streams.size()];
            for (int p = 0; p < streams.size(); p++) {
                points[p] = connector.openStream(streams.get(p));
            }
            List<Capture> running = captures;
            AtomicBoolean allStop = new AtomicBoolean();
            Throwable[] failures = new Throwable[streams.size()];
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < streams.size(); p++) {
                int partition = p;
                Thread thread = new Thread(() -> {
                    try {
                        running.get(partition).run(connector, points[partition],
                                () -> allStop.get() || stopping.getAsBoolean(), shutdownTimeout);
                    } catch (Throwable e) {
                        failures[partition] = e;
                        allStop.set(true);
                    }
                }, "wallaby-capture-" + streams.get(p));
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            boolean takenOver = false;
            for (Throwable failure : failures) {
                if (failure instanceof StreamTakenOverException) {
                    takenOver = true;
                } else if (failure instanceof Exception e) {
                    throw e;
                } else if (failure != null) {
                    throw (Error) failure;
                }
            }
            if (!takenOver || stopping.getAsBoolean()) {
                return 0;
            }
            log.warn("a partition stream was taken over by another instance; every partition's capture stopped and "
                    + "starts over from what is recorded once the engine gives the streams back");
            captures = fresh();
        }
    }

    private List<Capture> fresh() {
        List<Capture> made = new ArrayList<>();
        for (int p = 0; p < streams.size(); p++) {
            made.add(captureOf.apply(p));
        }
        return List.copyOf(made);
    }
}
