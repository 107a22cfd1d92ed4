package io.wallaby.source.postgres;

import io.wallaby.connector.SourceConnector;
import io.wallaby.connector.StreamTakenOverException;
import io.wallaby.source.postgres.admin.FiguresAcrossTurns;
import io.wallaby.source.postgres.admin.SourceFigures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 *
 * <h2>Ready</h2>
 * Each capture logs a line of its own once its stream is open and its slot or position is in hand (worded
 * without "ready"); when the last of them has, this class logs the source's one {@code ready: N partitions of
 * stream ...} line, which launchers and users wait for: from then on every partition captures, so a row written
 * after it is not missed even with {@code --snapshot never}. Again after every take-over.
 */
final class PartitionedCaptures {

    private static final Logger log = LoggerFactory.getLogger(PartitionedCaptures.class);

    /** One partition's capture, as {@link ChangeCapture} and the logical capture both are. */
    interface Capture {
        /**
         * Captures the partition until {@code stopping}, calling {@code ready} once (from its thread) when it
         * captures: its stream open, its slot or position in hand.
         */
        void run(SourceConnector connector, long enginePoint, BooleanSupplier stopping, Duration shutdownTimeout,
                 Runnable ready) throws Exception;

        void onAcknowledged(String stream, long point);

        SourceFigures figures();
    }

    private final List<String> streams;
    private final IntFunction<Capture> captureOf;
    private final String readyLine;
    /** Each partition's figures, across the captures a take-over makes. */
    private final List<FiguresAcrossTurns> figures = new ArrayList<>();
    private volatile List<Capture> captures;

    /**
     * @param streams   the partition streams, in partition order
     * @param captureOf makes partition p's capture, fresh (also to start over after a take-over)
     * @param readyLine what is logged once every partition captures; it begins with {@code ready: }
     */
    PartitionedCaptures(List<String> streams, IntFunction<Capture> captureOf, String readyLine) {
        this.streams = List.copyOf(streams);
        this.captureOf = captureOf;
        this.readyLine = readyLine;
        this.captures = fresh();
    }

    /** The SDK's acknowledgement listener: each capture keeps the points of its own stream. */
    void onAcknowledged(String stream, long point) {
        for (Capture capture : captures) {
            capture.onAcknowledged(stream, point);
        }
    }

    /** Partition {@code p}'s figures: its capture's, counted on across the captures a take-over makes. */
    SourceFigures figures(int partition) {
        return figures.get(partition);
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
            AtomicInteger notReady = new AtomicInteger(streams.size());
            Runnable ready = () -> {
                if (notReady.decrementAndGet() == 0) {
                    log.info("{}", readyLine);
                }
            };
            Throwable[] failures = new Throwable[streams.size()];
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < streams.size(); p++) {
                int partition = p;
                Thread thread = new Thread(() -> {
                    try {
                        running.get(partition).run(connector, points[partition],
                                () -> allStop.get() || stopping.getAsBoolean(), shutdownTimeout, ready);
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

    /** A capture per partition, fresh; their figures count on from the previous ones'. */
    private List<Capture> fresh() {
        List<Capture> made = new ArrayList<>();
        for (int p = 0; p < streams.size(); p++) {
            Capture capture = captureOf.apply(p);
            made.add(capture);
            if (figures.size() <= p) {
                figures.add(new FiguresAcrossTurns(capture.figures()));
            } else {
                figures.get(p).next(capture.figures());
            }
        }
        return List.copyOf(made);
    }
}
