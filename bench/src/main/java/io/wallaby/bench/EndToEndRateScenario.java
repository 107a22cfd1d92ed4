package io.wallaby.bench;

import io.wallaby.launcher.Pieces;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * 3. The whole pipeline at maximum rate: the postgres source, the engine and the postgres sink as processes, the
 * load inserted as fast as the writers go beside them; transactions/s from the first insert to the last alert row
 * committed. In logical mode, with a pg_recvlogical slot made before the load that drains the same WAL once the
 * pipeline is done, so the ratio to the walsender's ceiling is taken within the run; then the same in table mode
 * (trigger) on a fresh server so the difference shows.
 */
final class EndToEndRateScenario extends AbstractScenario {

    static final String KEY = "endtoend";
    private static final String LOGICAL = "logical: transactions/s, first insert to last alert committed";
    private static final String LOGICAL_INSERTS = "logical: insert rate while the pipeline runs";
    private static final String RECVLOGICAL = "pg_recvlogical draining the same WAL afterwards";
    private static final String TABLE = "table (trigger): transactions/s, first insert to last alert committed";
    private static final String TABLE_INSERTS = "table (trigger): insert rate while the pipeline runs";
    private static final String NO_CAPTURE = "scenario 2, no capture";
    private static final String RECV_SLOT = "bench_recvlogical";
    private static final Logger log = LoggerFactory.getLogger(EndToEndRateScenario.class);
    private static final int DEFAULT_ROWS = 200_000;

    EndToEndRateScenario() {
        super(KEY, "3. End to end, max rate");
    }

    @Override
    public List<Figure> run(BenchContext context) throws Exception {
        int rows = context.rows(DEFAULT_ROWS);
        TransactionLoad load = TransactionLoad.generated(0, rows);
        long alerts = load.expectedAlerts();
        Optional<PgRecvLogical> recvlogical = PgRecvLogical.find();
        PerRun r = new PerRun();
        List<Double> engineRss = new ArrayList<>();
        List<Double> sourceRss = new ArrayList<>();
        List<Double> sinkRss = new ArrayList<>();
        List<Double> noCapture = context.shared(PostgresLimitScenario.SHARED_NO_CAPTURE);
        for (int run = 1; run <= context.runs(); run++) {
            if (noCapture.size() >= run) {
                r.put(NO_CAPTURE, run, noCapture.get(run - 1));
            }
            // A fresh server per run and mode: no capture rows, slots, offsets or alerts left from before.
            try (BenchDatabase db = BenchDatabase.logical()) {
                String walEnd = null;
                try (Pieces pieces = context.pieces(KEY, run, "logical")) {
                    long warm = startPipeline(pieces, db, Capture.LOGICAL);
                    if (recvlogical.isPresent()) {
                        db.createSlot(RECV_SLOT); // the source's slot exists: both read the WAL from here on
                    }
                    if (timed(context, db, run, Capture.LOGICAL, load, warm + alerts, r, LOGICAL, LOGICAL_INSERTS)) {
                        engineRss.add(ProcFs.peakRssMiB(ProcFs.childRunning("wallaby-engine.jar")));
                        sourceRss.add(ProcFs.peakRssMiB(ProcFs.childRunning("wallaby-source.jar")));
                        sinkRss.add(ProcFs.peakRssMiB(ProcFs.childRunning("wallaby-sink.jar")));
                        walEnd = db.checkpointedWalEnd();
                    }
                }
                if (recvlogical.isPresent() && walEnd != null) { // alone on the machine, once the pipeline stopped
                    try {
                        long nanos = recvlogical.get().drain(db, RECV_SLOT, "wallaby_transactions", walEnd,
                                context.logs(KEY, run));
                        r.put(RECVLOGICAL, run, rows / (nanos / 1e9));
                    } catch (Exception e) {
                        context.note("End to end run " + run + ": pg_recvlogical FAILED: " + e.getMessage());
                        log.error("end to end run {}: pg_recvlogical failed", run, e);
                    }
                }
            }
            try (BenchDatabase db = BenchDatabase.logical(); Pieces pieces = context.pieces(KEY, run, "table")) {
                long warm = startPipeline(pieces, db, Capture.TABLE);
                timed(context, db, run, Capture.TABLE, load, warm + alerts, r, TABLE, TABLE_INSERTS);
            }
        }
        context.note("End to end: " + rows + " transactions a run (" + alerts + " alerts), on a fresh server "
                + "(wal_level=logical) per mode, with the engine and the postgres sink started and brought to steady "
                + "state (" + EngineWarmUp.MESSAGES + " synthetic transactions through them, on a stream of their own) "
                + "and the postgres source (" + Capture.LOGICAL.flags() + ", then " + Capture.TABLE.flags()
                + "; --create-table) ready first; time from the first insert until alert_log holds every alert "
                + "(polled every 10 ms). "
                + recvlogical.map(p -> "In logical mode a pgoutput slot for " + p.version() + " is made before the load "
                        + "and read once the pipeline has stopped, to --endpos (the WAL end after the load), into "
                        + "/dev/null: the same WAL, the publication the source made; its rate is rows over the time "
                        + "from its start to its exit.")
                        .orElse("pg_recvlogical NOT RUN: " + PgRecvLogical.INSTALL_HINT + ".")
                + " Insert rates while the pipeline runs are divided by scenario 2's no-capture rate of the same run "
                + "index (wal_level=logical).");
        if (!r.has(LOGICAL) && !r.has(TABLE)) {
            throw new IllegalStateException("no end-to-end run completed; see the notes");
        }
        List<Figure> figures = new ArrayList<>();
        add(figures, r, LOGICAL, "tx/s");
        add(figures, r, LOGICAL_INSERTS, "rows/s");
        ratio(figures, r, LOGICAL_INSERTS, NO_CAPTURE, "logical: insert rate beside the pipeline / scenario 2 no capture");
        add(figures, r, RECVLOGICAL, "rows/s");
        if (!r.ratio(LOGICAL, RECVLOGICAL).isEmpty()) {
            figures.add(Figure.withTarget(title(), "logical end to end / pg_recvlogical", "ratio",
                    r.ratio(LOGICAL, RECVLOGICAL), "≥ 0.80", v -> v >= 0.80));
        }
        add(figures, r, TABLE, "tx/s");
        add(figures, r, TABLE_INSERTS, "rows/s");
        ratio(figures, r, LOGICAL, TABLE, "logical / table end to end");
        if (!engineRss.isEmpty()) {
            figures.add(Figure.withTarget(MemoryScenario.TITLE, "engine peak RSS during scenario 3 (logical)", "MiB",
                    engineRss, "< 512", v -> v < 512));
            figures.add(Figure.withTarget(MemoryScenario.TITLE, "postgres source peak RSS during scenario 3 (logical)",
                    "MiB", sourceRss, "< 256", v -> v < 256));
            figures.add(Figure.withTarget(MemoryScenario.TITLE, "postgres sink peak RSS during scenario 3 (logical)",
                    "MiB", sinkRss, "< 256", v -> v < 256));
        }
        return figures;
    }

    /** The pipeline with its engine and sink brought to steady state first; returns the warm-up's alerts. */
    private static long startPipeline(Pieces pieces, BenchDatabase db, Capture capture) throws Exception {
        pieces.startEngine();
        pieces.startSink("sink-postgres", "postgres", "--connection", db.connectionString());
        long warm = EngineWarmUp.send(pieces.sourcePort());
        capture.start(pieces, db, "--create-table");
        return warm;
    }

    /** Inserts the load and waits for its alerts; false (and a note) when the run never completes. */
    private static boolean timed(BenchContext context, BenchDatabase db, int run, Capture capture,
                                 TransactionLoad load, long alerts, PerRun r, String rate, String insertRate)
            throws Exception {
        long start = System.nanoTime();
        long insertNanos = load.insertAll(db.jdbcUrl());
        long end;
        try {
            end = db.awaitCount("alert_log", alerts, 600_000);
        } catch (IllegalStateException stuck) {
            // A run that never completes has no rate; say so and keep the other runs.
            context.note("End to end run " + run + " (" + capture.label() + ") FAILED: " + stuck.getMessage()
                    + " (logs in .wallaby/bench-logs/" + KEY + "-" + run + ")");
            log.error("end to end run {} ({}) failed: {}", run, capture.label(), stuck.getMessage());
            return false;
        }
        double seconds = (end - start) / 1e9;
        r.put(rate, run, load.size() / seconds);
        r.put(insertRate, run, load.size() / (insertNanos / 1e9));
        log.info("end to end run {} ({}): {} transactions in {} s ({} tx/s); inserts took {} s", run,
                capture.label(), load.size(), String.format("%.2f", seconds),
                String.format("%.0f", load.size() / seconds), String.format("%.2f", insertNanos / 1e9));
        return true;
    }

    private void add(List<Figure> figures, PerRun r, String name, String unit) {
        if (r.has(name)) {
            figures.add(Figure.of(title(), name, unit, r.values(name)));
        }
    }

    private void ratio(List<Figure> figures, PerRun r, String numerator, String denominator, String name) {
        if (!r.ratio(numerator, denominator).isEmpty()) {
            figures.add(Figure.of(title(), name, "ratio", r.ratio(numerator, denominator)));
        }
    }
}
