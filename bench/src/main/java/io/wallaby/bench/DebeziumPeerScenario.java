package io.wallaby.bench;

import io.wallaby.launcher.Pieces;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * 5. Capture against a peer. In each run, on one server with logical decoding on: our postgres source
 * (default capture) feeding the engine and an in-process counting sink, then Debezium embedded (pgoutput)
 * into a counting callback, each capturing the same number of inserts. Every row raises an alert, so the
 * sink's count is the number of rows our source captured. Events/s from the first insert to the last event
 * counted, and our rate over Debezium's.
 */
final class DebeziumPeerScenario implements Scenario {

    static final String KEY = "peer";
    private static final Logger log = LoggerFactory.getLogger(DebeziumPeerScenario.class);
    private static final int DEFAULT_ROWS = 100_000;
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    @Override
    public String key() {
        return KEY;
    }

    @Override
    public String title() {
        return "5. Peer (Debezium)";
    }

    @Override
    public List<Figure> run(BenchContext context) throws Exception {
        int rows = context.rows(DEFAULT_ROWS);
        List<Double> ours = new ArrayList<>();
        List<Double> theirs = new ArrayList<>();
        List<Double> ratio = new ArrayList<>();
        String debeziumError = null;
        for (int run = 1; run <= context.runs(); run++) {
            try (BenchDatabase db = BenchDatabase.logical()) {
                double our;
                try {
                    our = ourCapture(context, db, run, TransactionLoad.allAlerting(0, rows));
                } catch (IllegalStateException stuck) {
                    context.note("Peer run " + run + " FAILED for our source: " + stuck.getMessage() + " (logs in "
                            + ".wallaby/bench-logs/" + KEY + "-" + run + ")");
                    log.error("peer run {}: our capture failed: {}", run, stuck.getMessage());
                    continue;
                }
                ours.add(our);
                // The peer's user has no trigger of ours on the table: it pays only for logical decoding.
                db.execute("ALTER TABLE transactions DISABLE TRIGGER USER");
                double peer;
                try {
                    peer = debeziumCapture(db, TransactionLoad.allAlerting(rows, rows));
                } catch (Exception | LinkageError e) {
                    debeziumError = e.toString();
                    log.error("Debezium could not run", e);
                    continue;
                }
                theirs.add(peer);
                ratio.add(our / peer);
                log.info("peer run {}: ours {} events/s, Debezium {} events/s", run, String.format("%.0f", our),
                        String.format("%.0f", peer));
            }
        }
        context.note("Peer: " + rows + " inserts for each capturer a run, on a fresh server with wal_level=logical; "
                + "ours first (postgres source, default capture, into the engine and a counting sink), then "
                + "Debezium " + io.debezium.connector.postgresql.Module.version()
                + " embedded (pgoutput, snapshot.mode=no_data, JSON values, memory offsets) with our trigger "
                + "disabled, after a first row proved its stream is live. Time from the first insert to the last "
                + "event counted. Our pieces are fresh JVMs every run, as a user starts them; Debezium runs inside the "
                + "benchmark's JVM, which is already warm from run 2 on. Both capturers pay for what they do to "
                + "the inserts: our trigger slows them (scenario 2), logical decoding does not.");
        if (ours.isEmpty()) {
            throw new IllegalStateException("our capture completed no run; see the notes");
        }
        List<Figure> figures = new ArrayList<>();
        figures.add(Figure.of(title(), "our source capture", "events/s", ours));
        if (debeziumError != null) {
            context.note("Peer: Debezium failed: " + debeziumError);
        }
        if (!theirs.isEmpty()) {
            figures.add(Figure.of(title(), "Debezium embedded capture", "events/s", theirs));
            figures.add(Figure.withTarget(title(), "ours / Debezium", "ratio", ratio, "≥ 1.5", v -> v >= 1.5));
        }
        return figures;
    }

    private static double ourCapture(BenchContext context, BenchDatabase db, int run, TransactionLoad load)
            throws Exception {
        try (Pieces pieces = context.pieces(KEY, run)) {
            pieces.startEngine();
            try (CountingSink sink = new CountingSink(pieces.sinkPort())) {
                pieces.startSource("source-postgres", "postgres", "--connection", db.connectionString(),
                        "--create-table");
                long start = System.nanoTime();
                load.insertAll(db.jdbcUrl());
                long end = sink.awaitCount(load.size(), TIMEOUT);
                return load.size() / ((end - start) / 1e9);
            }
        }
    }

    private static double debeziumCapture(BenchDatabase db, TransactionLoad load) throws Exception {
        try (DebeziumCapture peer = new DebeziumCapture(db)) {
            // Debezium says nothing when its replication stream is live: insert probe rows (negative ids,
            // outside the load) until one is counted; rows before the slot exists are never seen.
            long probe = -1;
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (peer.count() == 0) {
                if (System.nanoTime() > deadline) {
                    peer.awaitCount(1, Duration.ZERO); // fails with Debezium's own error when it has one
                }
                db.execute("INSERT INTO transactions (id, amount) VALUES (" + probe-- + ", 1001)");
                Thread.sleep(250);
            }
            Thread.sleep(500); // let the last probes arrive before the baseline
            long baseline = peer.count();
            long start = System.nanoTime();
            load.insertAll(db.jdbcUrl());
            long end = peer.awaitCount(baseline + load.size(), TIMEOUT);
            return load.size() / ((end - start) / 1e9);
        }
    }
}
