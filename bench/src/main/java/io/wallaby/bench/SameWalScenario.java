package io.wallaby.bench;

import io.wallaby.launcher.Pieces;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * 5. Capture speed on the same WAL. In each run, on a fresh server with wal_level=logical: one publication for
 * {@code public.transactions}, one pgoutput slot per reader made before the load, then the load written once
 * with nobody reading. Then each reader drains that same backlog, one after the other, so none competes with the
 * writers or with another reader: pg_recvlogical (the walsender's ceiling), our logical capture, Debezium
 * embedded with its defaults and in the fastest configuration found, and our whole logical pipeline into
 * alert_log. Last, the table capture on a load of its own (its trigger slows the writers and adds WAL the others
 * would have to read past).
 */
final class SameWalScenario extends AbstractScenario {

    static final String KEY = "peer";
    static final String RECVLOGICAL = "pg_recvlogical to /dev/null (the walsender's ceiling)";
    private static final String OURS = "our logical capture → engine → counting sink";
    private static final String OURS_IN = "our logical capture into the engine (its messages in)";
    private static final String DEFAULTS = "Debezium embedded, defaults (JSON converter)";
    private static final String FAST = "Debezium embedded, fastest configuration found";
    private static final String PIPELINE = "our logical pipeline into alert_log (draining the backlog)";
    private static final String TABLE = "our table capture (trigger, own load) → engine → counting sink";
    private static final String PUBLICATION = "bench_same_wal";
    private static final String[] SLOTS = {"bench_recvlogical", "bench_logical", "bench_debezium_defaults",
            "bench_debezium_fast", "bench_pipeline"};
    private static final Logger log = LoggerFactory.getLogger(SameWalScenario.class);
    private static final int DEFAULT_ROWS = 800_000; // a fresh JVM needs a few seconds to warm up: below ~500k rows its JIT dominates the ratio

    SameWalScenario() {
        super(KEY, "5. Capture on the same WAL");
    }

    @Override
    public List<Figure> run(BenchContext context) throws Exception {
        int rows = context.rows(DEFAULT_ROWS);
        Optional<PgRecvLogical> recvlogical = PgRecvLogical.find();
        PerRun r = new PerRun();
        for (int run = 1; run <= context.runs(); run++) {
            try (BenchDatabase db = BenchDatabase.logical()) {
                oneRun(context, db, run, rows, recvlogical.orElse(null), r);
            }
        }
        context.note("Same WAL: " + rows + " inserts a run (every one raising an alert) written once by "
                + TransactionLoad.WRITERS + " writers on a fresh server with wal_level=logical, after the publication "
                + PUBLICATION + " (FOR TABLE public.transactions) and one pgoutput slot per reader were made and with "
                + "the table capture's trigger disabled; then a CHECKPOINT, and each reader drains that backlog in turn, "
                + "alone on the machine. Rates are rows over the time from a reader's start to its last row: "
                + recvlogical.map(p -> p.version() + " from starting the process to its exit at --endpos (the WAL end "
                        + "after the load), reading pgoutput (proto_version 1) into /dev/null; ")
                        .orElse("pg_recvlogical NOT RUN: " + PgRecvLogical.INSTALL_HINT + "; ")
                + "our source processes (" + Capture.LOGICAL.flags() + " --slot <its slot>, fresh JVMs as a user starts "
                + "them, into a fresh engine already brought to steady state with " + EngineWarmUp.MESSAGES
                + " synthetic transactions on a stream of their own, and with --max-pending above the backlog so that the "
                + "engine's delivery to sinks does not hold the capture back) from their 'ready' log line (JVM start and setup excluded) to the "
                + "last message the engine took in (its /metrics counter, polled every 20 ms) and the last alert an "
                + "in-process counting sink read, or for the pipeline the last alert row in alert_log (postgres sink, "
                + "polled every 10 ms); Debezium " + DebeziumPeer.version() + " embedded in a JVM of its own started "
                + "like ours (the same JVM options), slot.name and publication.name set to the ones made, snapshot.mode=no_data, "
                + "memory offsets, timed inside it from its pollingStarted callback to the last event counted. "
                + "'Defaults' changes nothing else: the JSON converter with schemas, a Consumer per event. 'Fastest "
                + "found': " + DebeziumPeer.fastDescription() + ". The table capture (" + Capture.TABLE.flags()
                + ") drains a second load of as many rows written with its trigger on, after the slots are dropped.");
        List<Figure> figures = new ArrayList<>();
        for (String name : List.of(RECVLOGICAL, OURS, OURS_IN, DEFAULTS, FAST, PIPELINE, TABLE)) {
            if (r.has(name)) {
                figures.add(Figure.of(title(), name.replace("Debezium", "Debezium " + DebeziumPeer.version()),
                        "rows/s", r.values(name)));
            }
        }
        ratio(figures, r, OURS_IN, RECVLOGICAL, "logical capture (into the engine) / pg_recvlogical", "≥ 0.90", 0.90);
        ratio(figures, r, OURS_IN, DEFAULTS, "logical capture (into the engine) / Debezium defaults", "≥ 1.5", 1.5);
        ratio(figures, r, OURS_IN, FAST, "logical capture (into the engine) / Debezium fastest", "", 0);
        ratio(figures, r, OURS, RECVLOGICAL, "logical capture → engine → counting sink / pg_recvlogical", "", 0);
        ratio(figures, r, PIPELINE, RECVLOGICAL, "logical pipeline (draining) / pg_recvlogical", "", 0);
        ratio(figures, r, OURS, TABLE, "logical capture / table capture", "", 0);
        if (figures.isEmpty()) {
            throw new IllegalStateException("no reader completed a run; see the notes");
        }
        return figures;
    }

    private void oneRun(BenchContext context, BenchDatabase db, int run, int rows, PgRecvLogical recvlogical,
                        PerRun r) throws Exception {
        // The table and the trigger exactly as the table capture installs them; off for the shared load.
        try (Pieces install = context.pieces(KEY, run, "install")) {
            install.startEngine();
            Capture.TABLE.start(install, db, "--create-table");
        }
        db.execute("ALTER TABLE transactions DISABLE TRIGGER USER");
        db.execute("CREATE PUBLICATION " + PUBLICATION + " FOR TABLE public.transactions");
        for (String slot : SLOTS) {
            db.createSlot(slot);
        }
        TransactionLoad.allAlerting(0, rows).insertAll(db.jdbcUrl());
        String walEnd = db.checkpointedWalEnd();
        log.info("same WAL run {}: {} rows written, WAL ends at {}", run, rows, walEnd);

        if (recvlogical != null) {
            measure(context, run, RECVLOGICAL, () -> r.put(RECVLOGICAL, run, rows / (recvlogical.drain(db,
                    SLOTS[0], PUBLICATION, walEnd, context.logs(KEY, run)) / 1e9)));
        }
        measure(context, run, OURS, () -> {
            OurReaders.Rates rates = OurReaders.capture(context, KEY, run, db, Capture.LOGICAL, SLOTS[1],
                    PUBLICATION, rows);
            r.put(OURS, run, rates.delivered());
            r.put(OURS_IN, run, rates.intoEngine());
        });
        measure(context, run, DEFAULTS, () -> r.put(DEFAULTS, run, DebeziumPeer.drain(db,
                DebeziumReader.Profile.defaults, SLOTS[2], PUBLICATION, rows, context.logs(KEY, run))));
        measure(context, run, FAST, () -> r.put(FAST, run, DebeziumPeer.drain(db,
                DebeziumReader.Profile.fast, SLOTS[3], PUBLICATION, rows, context.logs(KEY, run))));
        measure(context, run, PIPELINE, () -> r.put(PIPELINE, run,
                OurReaders.pipeline(context, KEY, run, db, SLOTS[4], PUBLICATION, rows)));
        for (String slot : SLOTS) {
            db.dropSlotIfExists(slot);
        }

        db.execute("ALTER TABLE transactions ENABLE TRIGGER USER");
        TransactionLoad.allAlerting(rows, rows).insertAll(db.jdbcUrl());
        db.checkpointedWalEnd();
        measure(context, run, TABLE, () -> r.put(TABLE, run,
                OurReaders.capture(context, KEY, run, db, Capture.TABLE, null, null, rows).delivered()));
        log.info("same WAL run {}: {}", run, summary(r, run));
    }

    private interface Reader {
        void drain() throws Exception;
    }

    /** Runs one reader; a failure is noted and the run goes on with the next reader. */
    private static void measure(BenchContext context, int run, String name, Reader reader) {
        try {
            reader.drain();
        } catch (Exception | LinkageError e) {
            context.note("Same WAL run " + run + ": " + name + " FAILED: " + e.getMessage() + " (logs in "
                    + ".wallaby/bench-logs/" + KEY + "-" + run + ")");
            log.error("same WAL run {}: {} failed", run, name, e);
        }
    }

    private static String summary(PerRun r, int run) {
        StringBuilder out = new StringBuilder();
        for (String name : List.of(RECVLOGICAL, OURS, OURS_IN, DEFAULTS, FAST, PIPELINE, TABLE)) {
            out.append(String.format("%n  %-70s %,10.0f rows/s", name, r.get(name, run)));
        }
        return out.toString();
    }

    private void ratio(List<Figure> figures, PerRun r, String numerator, String denominator, String name,
                       String target, double atLeast) {
        List<Double> ratio = r.ratio(numerator, denominator);
        if (!ratio.isEmpty()) {
            figures.add(target.isEmpty() ? Figure.of(title(), name, "ratio", ratio)
                    : Figure.withTarget(title(), name, "ratio", ratio, target, v -> v >= atLeast));
        }
    }
}
