package io.wallaby.bench;

import io.wallaby.launcher.Pieces;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * 4. Commit-to-alert latency at fixed offered rates. Every row's amount is above 1000, so every transaction
 * raises exactly one alert naming its id. The server keeps commit timestamps (track_commit_timestamp=on),
 * so pg_xact_commit_timestamp(xmin) of a transactions row is when the writer's transaction committed and
 * of its alert_log row when the sink's transaction committed: both on the server's one clock, neither
 * depending on when the benchmark happened to look. created_at (now(), the transaction's start) would not do.
 * Measured with the logical capture at each rate and, at 10,000 tx/s, with the table capture (trigger) and with
 * the logical capture under synchronous_commit=off.
 */
final class LatencyScenario extends AbstractScenario {

    static final String KEY = "latency";
    private static final Logger log = LoggerFactory.getLogger(LatencyScenario.class);

    /** One pipeline a run: the capture, the server's synchronous_commit, the rates offered in turn. */
    private record Mode(String label, Capture capture, boolean synchronousCommit, int... rates) { }

    /**
     * The logical capture at every rate with PostgreSQL's default synchronous_commit=on: a walsender sends only
     * WAL that is flushed, and with zonky's synchronous_commit=off a commit is flushed only when the WAL writer
     * gets to it (wal_writer_delay, 200 ms), which alone would set the logical capture's latency. The table
     * capture (its NOTIFY goes out at commit) and the logical capture under synchronous_commit=off are kept as
     * rows at the rate the target is set for, so both differences show.
     */
    private static final List<Mode> MODES = List.of(
            new Mode("logical", Capture.LOGICAL, true, 1_000, 10_000, 50_000),
            new Mode("table (trigger)", Capture.TABLE, true, 10_000),
            new Mode("logical, synchronous_commit=off", Capture.LOGICAL, false, 10_000));
    private static final int SECONDS_PER_RATE = 5;
    private static final int WRITERS = 2;
    private static final int WARM_UP_ROWS = 10_000;
    private static final long PERIOD_NANOS = 10_000_000; // each writer commits every 10 ms on schedule
    private static final List<String> FIGURES = List.of("achieved", "p50", "p99", "p99.9", "max");

    private static final String LATENCIES = """
            SELECT (extract(epoch FROM pg_xact_commit_timestamp(a.xmin) - pg_xact_commit_timestamp(t.xmin))
                    * 1000000)::bigint
            FROM alert_log a JOIN transactions t
              ON t.id = substring(a.alert_log FROM 'for ([0-9]+):')::bigint
            WHERE t.id >= ? AND t.id < ?""";

    LatencyScenario() {
        super(KEY, "4. Latency");
    }

    @Override
    public List<Figure> run(BenchContext context) throws Exception {
        Map<Mode, Map<Integer, Map<String, List<Double>>>> results = new LinkedHashMap<>();
        MODES.forEach(mode -> results.put(mode, results(mode.rates())));
        for (int run = 1; run <= context.runs(); run++) {
            for (Mode mode : MODES) {
                measure(context, run, mode, results.get(mode));
            }
        }
        context.note("Latency: one pipeline per run and mode (logical: " + Capture.LOGICAL.flags() + "; table: "
                + Capture.TABLE.flags() + "), each on a fresh server with wal_level=logical, track_commit_timestamp=on "
                + "and synchronous_commit=on (PostgreSQL's default; the other scenarios keep zonky's off) unless the "
                + "row says off; after the engine and sink are brought to steady state (" + EngineWarmUp.MESSAGES
                + " synthetic transactions on a stream of their own) and a warm-up of " + WARM_UP_ROWS + " rows at "
                + "5,000 tx/s through the source, each rate for "
                + SECONDS_PER_RATE + " s (rates in rising order, each drained before the next), " + WRITERS
                + " writers committing every " + PERIOD_NANOS / 1_000_000 + " ms on a fixed schedule (a late writer "
                + "catches up without waiting, so the offered rate holds on average when the machine can). Latency = "
                + "commit timestamp of the alert row minus commit timestamp of its transaction row "
                + "(pg_xact_commit_timestamp(xmin)), so it includes capture, engine, sink and the sink's commit. "
                + "A rate whose achieved figure is well below the offered one is beyond what the machine holds.");
        List<Figure> figures = new ArrayList<>();
        results.forEach((mode, byRate) -> byRate.forEach((rate, m) -> {
            String at = String.format("at %,d tx/s offered", rate);
            boolean main = mode == MODES.get(0);
            for (String k : main ? FIGURES : List.of("achieved", "p50", "p99", "max")) {
                String name = mode.label() + ": " + (k.equals("achieved") ? "achieved insert rate " : k + " ") + at;
                String unit = k.equals("achieved") ? "tx/s" : "ms";
                figures.add(main && rate == 10_000 && k.equals("p99")
                        ? Figure.withTarget(title(), name, unit, m.get(k), "< 25", v -> v < 25)
                        : Figure.of(title(), name, unit, m.get(k)));
            }
        }));
        return figures;
    }

    private static Map<Integer, Map<String, List<Double>>> results(int[] rates) {
        Map<Integer, Map<String, List<Double>>> byRate = new LinkedHashMap<>();
        for (int rate : rates) {
            Map<String, List<Double>> m = new LinkedHashMap<>();
            FIGURES.forEach(k -> m.put(k, new ArrayList<>()));
            byRate.put(rate, m);
        }
        return byRate;
    }

    /** One pipeline in {@code mode}: the warm-up, then each rate in turn, drained before the next. */
    private static void measure(BenchContext context, int run, Mode mode,
                                Map<Integer, Map<String, List<Double>>> byRate) throws Exception {
        String part = mode.label().replaceAll("[^a-z_=]+", "-");
        try (BenchDatabase db = BenchDatabase.logicalWithCommitTimestamps(mode.synchronousCommit());
             Pieces pieces = context.pieces(KEY, run, part)) {
            pieces.startEngine();
            pieces.startSink("sink-postgres", "postgres", "--connection", db.connectionString());
            long alertsSoFar = EngineWarmUp.send(pieces.sourcePort());
            mode.capture().start(pieces, db, "--create-table");
            // The source's JVM starts cold too: two seconds at 5,000 tx/s first, not measured, so the lowest
            // rate is not charged with the JIT's warm-up.
            long nextId = WARM_UP_ROWS;
            offer(db.jdbcUrl(), TransactionLoad.allAlerting(0, WARM_UP_ROWS), 5_000);
            alertsSoFar += WARM_UP_ROWS;
            db.awaitCount("alert_log", alertsSoFar, 600_000);
            for (int rate : mode.rates()) {
                int rows = rate * SECONDS_PER_RATE;
                TransactionLoad load = TransactionLoad.allAlerting(nextId, rows);
                double achieved = offer(db.jdbcUrl(), load, rate);
                alertsSoFar += rows;
                db.awaitCount("alert_log", alertsSoFar, 600_000);
                Histogram h = latencies(db, nextId, nextId + rows);
                Map<String, List<Double>> m = byRate.get(rate);
                m.get("achieved").add(achieved);
                m.get("p50").add(h.getValueAtPercentile(50) / 1000.0);
                m.get("p99").add(h.getValueAtPercentile(99) / 1000.0);
                m.get("p99.9").add(h.getValueAtPercentile(99.9) / 1000.0);
                m.get("max").add(h.getMaxValue() / 1000.0);
                log.info("latency run {} ({}) at {} tx/s offered ({} achieved): p50 {} ms, p99 {} ms, max {} ms "
                                + "over {} alerts", run, mode.label(), rate, String.format("%.0f", achieved),
                        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                        h.getMaxValue() / 1000.0, h.getTotalCount());
                nextId += rows;
            }
        }
    }

    /** Inserts the load at {@code rate} rows/s; returns the rate achieved (rows over first-to-last commit). */
    private static double offer(String jdbcUrl, TransactionLoad load, int rate) throws Exception {
        int perCommit = Math.max(1, (int) Math.round(rate * (PERIOD_NANOS / 1e9) / WRITERS));
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            Thread t = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(jdbcUrl)) {
                    c.setAutoCommit(false);
                    // Writer w takes chunks w, w+WRITERS, ...; chunk k is due at start + (k / WRITERS) periods,
                    // the writers offset by half a period so commits are spread evenly.
                    int chunk = writer;
                    for (int from = chunk * perCommit; from < load.size(); chunk += WRITERS, from = chunk * perCommit) {
                        long due = start + (long) (chunk / WRITERS) * PERIOD_NANOS + writer * PERIOD_NANOS / WRITERS;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                        load.insertChunk(c, from, Math.min(load.size(), from + perCommit));
                    }
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
            }, "bench-paced-writer");
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return load.size() / ((System.nanoTime() - start) / 1e9);
    }

    private static Histogram latencies(BenchDatabase db, long fromId, long toId) throws Exception {
        Histogram h = new Histogram(3_600_000_000L, 3); // microseconds, up to an hour
        try (Connection c = db.connect(); PreparedStatement q = c.prepareStatement(LATENCIES)) {
            q.setLong(1, fromId);
            q.setLong(2, toId);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    h.recordValue(Math.max(0, rs.getLong(1)));
                }
            }
        }
        if (h.getTotalCount() != toId - fromId) {
            throw new IllegalStateException("found " + h.getTotalCount() + " alert/transaction pairs for ids "
                    + fromId + ".." + (toId - 1) + ", expected " + (toId - fromId));
        }
        return h;
    }
}
