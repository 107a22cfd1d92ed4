package io.wallaby.bench;

import io.wallaby.launcher.Pieces;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * 3. The whole pipeline at maximum rate: the postgres source (its default capture), the engine and the
 * postgres sink as processes, the same load inserted as fast as the writers go. Sustained transactions/s
 * from the first insert to the last alert row committed, and its ratio to scenario 2's with-trigger rate
 * of the same run index.
 */
final class EndToEndRateScenario implements Scenario {

    static final String KEY = "endtoend";
    private static final Logger log = LoggerFactory.getLogger(EndToEndRateScenario.class);
    private static final int DEFAULT_ROWS = 200_000;

    @Override
    public String key() {
        return KEY;
    }

    @Override
    public String title() {
        return "3. End to end, max rate";
    }

    @Override
    public List<Figure> run(BenchContext context) throws Exception {
        int rows = context.rows(DEFAULT_ROWS);
        TransactionLoad load = TransactionLoad.generated(0, rows);
        long alerts = load.expectedAlerts();
        List<Double> rates = new ArrayList<>();
        List<Double> insertRates = new ArrayList<>();
        List<Double> engineRss = new ArrayList<>();
        List<Double> sourceRss = new ArrayList<>();
        List<Double> sinkRss = new ArrayList<>();
        List<Double> limitOfRun = new ArrayList<>();
        List<Double> limit = context.shared(PostgresLimitScenario.SHARED_WITH_TRIGGER);
        for (int run = 1; run <= context.runs(); run++) {
            // A fresh server per run: no capture rows, offsets or alerts left from the run before.
            try (BenchDatabase db = BenchDatabase.plain(); Pieces pieces = context.pieces(KEY, run)) {
                pieces.startEngine();
                pieces.startSink("sink-postgres", "postgres", "--connection", db.connectionString());
                pieces.startSource("source-postgres", "postgres", "--connection", db.connectionString(),
                        "--create-table");
                long start = System.nanoTime();
                long insertNanos = load.insertAll(db.jdbcUrl());
                long end;
                try {
                    end = db.awaitCount("alert_log", alerts, 600_000);
                } catch (IllegalStateException stuck) {
                    // A run that never completes has no rate; say so and keep the other runs.
                    context.note("End to end run " + run + " FAILED: " + stuck.getMessage() + " (logs in "
                            + ".wallaby/bench-logs/" + KEY + "-" + run + ")");
                    log.error("end to end run {} failed: {}", run, stuck.getMessage());
                    continue;
                }
                if (limit.size() >= run) {
                    limitOfRun.add(limit.get(run - 1));
                }
                double seconds = (end - start) / 1e9;
                rates.add(rows / seconds);
                insertRates.add(rows / (insertNanos / 1e9));
                engineRss.add(ProcFs.peakRssMiB(ProcFs.childRunning("wallaby-engine.jar")));
                sourceRss.add(ProcFs.peakRssMiB(ProcFs.childRunning("wallaby-source.jar")));
                sinkRss.add(ProcFs.peakRssMiB(ProcFs.childRunning("wallaby-sink.jar")));
                log.info("end to end run {}: {} transactions, {} alerts in {} s ({} tx/s); inserts took {} s", run,
                        rows, alerts, String.format("%.2f", seconds), String.format("%.0f", rows / seconds),
                        String.format("%.2f", insertNanos / 1e9));
            }
        }
        context.note("End to end: " + rows + " transactions a run (" + alerts + " alerts), on a fresh server with the "
                + "engine, the postgres sink and the postgres source (default capture, --create-table) started "
                + "and ready first; time from the first insert until alert_log holds every alert (polled every "
                + "10 ms). The ratio divides each run's rate by scenario 2's with-trigger rate of the same run "
                + "index.");
        List<Figure> figures = new ArrayList<>();
        figures.add(Figure.of(title(), "transactions/s, first insert to last alert committed", "tx/s", rates));
        figures.add(Figure.of(title(), "insert rate while the pipeline runs", "rows/s", insertRates));
        if (rates.isEmpty()) {
            throw new IllegalStateException("no end-to-end run completed; see the notes");
        }
        if (limitOfRun.size() == rates.size()) {
            List<Double> ratio = new ArrayList<>();
            for (int i = 0; i < rates.size(); i++) {
                ratio.add(rates.get(i) / limitOfRun.get(i));
            }
            figures.add(Figure.withTarget(title(), "ratio to scenario 2 with trigger", "ratio", ratio, "≥ 0.80",
                    v -> v >= 0.80));
        } else {
            context.note("End to end: no ratio to scenario 2, which did not run in this invocation.");
        }
        figures.add(Figure.withTarget(MemoryScenario.TITLE, "engine peak RSS during scenario 3", "MiB", engineRss,
                "< 512", v -> v < 512));
        figures.add(Figure.withTarget(MemoryScenario.TITLE, "postgres source peak RSS during scenario 3", "MiB",
                sourceRss, "< 256", v -> v < 256));
        figures.add(Figure.withTarget(MemoryScenario.TITLE, "postgres sink peak RSS during scenario 3", "MiB",
                sinkRss, "< 256", v -> v < 256));
        return figures;
    }
}
