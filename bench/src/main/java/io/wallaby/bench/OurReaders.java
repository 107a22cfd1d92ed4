package io.wallaby.bench;

import io.wallaby.launcher.Pieces;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Our postgres source draining a backlog that is already in the database, as scenario 5 runs it: a fresh engine
 * per reader, brought to steady state first ({@link EngineWarmUp}), then a fresh source process, the clock started
 * once the source says it is ready (JVM start, connection, slot checks and the engine handshake are behind it) and
 * stopped at the last row.
 */
final class OurReaders {

    /** One drain: rows/s into the engine (its /metrics, 0 when not read) and at the end of the pipeline. */
    record Rates(double intoEngine, double delivered) { }

    private static final Logger log = LoggerFactory.getLogger(OurReaders.class);
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private OurReaders() {
    }

    /**
     * The source in {@code capture} mode into an engine and an in-process counting sink; every row raises one
     * alert, so the sink's count is the rows captured. For logical, {@code slot} and {@code publication} name
     * what was made before the load; the engine's messages-in counter gives the source's own rate.
     */
    static Rates capture(BenchContext context, String scenario, int run, BenchDatabase db, Capture capture,
                         String slot, String publication, long rows) throws Exception {
        String stream = capture == Capture.LOGICAL ? slot : "transactions";
        try (Pieces pieces = context.pieces(scenario, run, capture == Capture.LOGICAL ? slot : "table")) {
            int adminPort = Pieces.freePort();
            // Room for every output of the warm-up and the backlog: the capture's rate into the engine is then
            // not held to the engine's delivery to sinks (issue 9's slow path), which the delivered rate shows.
            pieces.startEngine("--admin-port", Integer.toString(adminPort),
                    "--max-pending", Long.toString(2 * rows + 1_000_000));
            EngineAdmin engine = new EngineAdmin(adminPort);
            try (CountingSink sink = new CountingSink(pieces.sinkPort())) {
                EngineWarmUp.send(pieces.sourcePort(), sink);
                long warm = sink.count();
                long launch = System.nanoTime();
                if (capture == Capture.LOGICAL) {
                    capture.start(pieces, db, "--stream", stream, "--slot", slot, "--publication", publication);
                } else {
                    capture.start(pieces, db);
                }
                long start = System.nanoTime();
                long inAt = awaitMessagesIn(engine, stream, rows);
                long end = sink.awaitCount(warm + rows, TIMEOUT);
                log.info("{} capture drained {} rows: into the engine in {} s, through it in {} s; the source took {} s "
                                + "to get ready", capture.label(), rows, seconds(inAt - start), seconds(end - start),
                        seconds(start - launch));
                return new Rates(rows / ((inAt - start) / 1e9), rows / ((end - start) / 1e9));
            }
        }
    }

    /**
     * The whole pipeline draining the backlog: the logical source on {@code slot}, the engine and the postgres
     * sink; rows/s from the source being ready until alert_log holds every alert.
     */
    static double pipeline(BenchContext context, String scenario, int run, BenchDatabase db, String slot,
                           String publication, long rows) throws Exception {
        try (Pieces pieces = context.pieces(scenario, run, slot)) {
            pieces.startEngine();
            pieces.startSink("sink-postgres", "postgres", "--connection", db.connectionString());
            long warm = EngineWarmUp.send(pieces.sourcePort());
            Capture.LOGICAL.start(pieces, db, "--stream", slot, "--slot", slot, "--publication", publication);
            long start = System.nanoTime();
            long end = db.awaitCount("alert_log", warm + rows, TIMEOUT.toMillis());
            log.info("logical pipeline drained {} rows into alert_log in {} s", rows, seconds(end - start));
            return rows / ((end - start) / 1e9);
        }
    }

    /** Polls the engine's counter until {@code stream} has taken in {@code rows}; System.nanoTime then. */
    private static long awaitMessagesIn(EngineAdmin engine, String stream, long rows) throws Exception {
        long last = -1;
        long movedAt = System.nanoTime();
        while (true) {
            long in = engine.messagesIn(stream);
            long now = System.nanoTime();
            if (in >= rows) {
                return now;
            }
            if (in != last) {
                last = in;
                movedAt = now;
            }
            if (now - movedAt > BenchDatabase.STALL_MILLIS * 1_000_000L) {
                throw new IllegalStateException("the engine took in " + in + " of " + rows + " messages of stream "
                        + stream + "; none for " + BenchDatabase.STALL_MILLIS / 1000 + " s");
            }
            Thread.sleep(20); // each poll is a /metrics scrape in the engine: not too often on 2 cores
        }
    }

    private static String seconds(long nanos) {
        return String.format("%.2f", nanos / 1e9);
    }
}
