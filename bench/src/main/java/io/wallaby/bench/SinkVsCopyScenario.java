package io.wallaby.bench;

import io.wallaby.launcher.Pieces;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.StringReader;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

/**
 * 6. The postgres sink against a plain COPY. An in-process synthetic source feeds the engine transactions
 * that all raise alerts, far faster than any sink writes (scenario 1), so the sink connector process sets
 * the pace: alerts/s from the first message written until alert_log holds them all. Then the same alert
 * texts in one COPY into a table of alert_log's shape, on the same server in the same run.
 */
final class SinkVsCopyScenario extends AbstractScenario {

    static final String KEY = "sink";
    private static final Logger log = LoggerFactory.getLogger(SinkVsCopyScenario.class);
    private static final int DEFAULT_ROWS = 200_000;

    SinkVsCopyScenario() {
        super(KEY, "6. Sink vs COPY");
    }

    @Override
    public List<Figure> run(BenchContext context) throws Exception {
        int rows = context.rows(DEFAULT_ROWS);
        TransactionLoad load = TransactionLoad.allAlerting(0, rows);
        byte[][] payloads = load.jsonPayloads();
        StringBuilder copyText = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            copyText.append(load.alertText(i)).append('\n'); // no tabs, backslashes or newlines to escape
        }
        List<Double> sink = new ArrayList<>();
        List<Double> copy = new ArrayList<>();
        List<Double> ratio = new ArrayList<>();
        List<Double> engineCpu = new ArrayList<>();
        List<Double> sinkCpu = new ArrayList<>();
        List<Double> postgresCpu = new ArrayList<>();
        List<Double> benchCpu = new ArrayList<>();
        for (int run = 1; run <= context.runs(); run++) {
            try (BenchDatabase db = BenchDatabase.plain(); Pieces pieces = context.pieces(KEY, run)) {
                pieces.startEngine();
                pieces.startSink("sink-postgres", "postgres", "--connection", db.connectionString());
                // Both are long-running servers: measure them compiled, not warming up (the warm-up's alerts
                // go through the same sink into the same table, on a stream of their own).
                EngineWarmUp.send(pieces.sourcePort());
                long before = db.count("alert_log");
                long enginePid = ProcFs.childRunning("wallaby-engine.jar");
                long sinkPid = ProcFs.childRunning("wallaby-sink.jar");
                List<Long> server = db.serverPids(); // the sink's session is among them
                double sinkRate;
                try (SyntheticSource source = new SyntheticSource(pieces.sourcePort())) {
                    double[] cpuBefore = {ProcFs.cpuSeconds(enginePid), ProcFs.cpuSeconds(sinkPid),
                            ProcFs.cpuSeconds(server), ProcFs.cpuSeconds(ProcessHandle.current().pid())};
                    long start = System.nanoTime();
                    source.writeAll(payloads);
                    long end = db.awaitCount("alert_log", before + rows, 600_000);
                    sinkRate = rows / ((end - start) / 1e9);
                    engineCpu.add((ProcFs.cpuSeconds(enginePid) - cpuBefore[0]) / rows * 1e6);
                    sinkCpu.add((ProcFs.cpuSeconds(sinkPid) - cpuBefore[1]) / rows * 1e6);
                    postgresCpu.add((ProcFs.cpuSeconds(server) - cpuBefore[2]) / rows * 1e6);
                    benchCpu.add((ProcFs.cpuSeconds(ProcessHandle.current().pid()) - cpuBefore[3]) / rows * 1e6);
                }
                double copyRate = copy(db, copyText.toString(), rows);
                sink.add(sinkRate);
                copy.add(copyRate);
                ratio.add(sinkRate / copyRate);
                log.info("sink run {}: sink {} alerts/s, COPY {} rows/s", run, String.format("%.0f", sinkRate),
                        String.format("%.0f", copyRate));
            }
        }
        context.note("Sink: " + rows + " alerts a run through the engine into the postgres sink process (default "
                + "batch settings) on a fresh server, after " + EngineWarmUp.MESSAGES + " warm-up alerts through the "
                + "same engine and sink (a stream of their own) brought both to steady state; CPU per alert is utime+stime "
                + "from /proc over the measured interval, of the engine, the sink, every PostgreSQL process in "
                + "pg_stat_activity (the sink's session among them) and the benchmark's own JVM (the synthetic "
                + "source; it also polls the count); COPY: the same " + rows + " texts in one COPY ... FROM STDIN "
                + "(pgjdbc CopyManager, one transaction) into a table shaped like alert_log, on the same server "
                + "right after.");
        return List.of(
                Figure.of(title(), "postgres sink into alert_log", "alerts/s", sink),
                Figure.of(title(), "plain COPY of the same rows", "rows/s", copy),
                Figure.withTarget(title(), "sink / COPY", "ratio", ratio, "≥ 0.50", v -> v >= 0.50),
                Figure.of(title(), "CPU per alert: engine", "µs", engineCpu),
                Figure.of(title(), "CPU per alert: postgres sink process", "µs", sinkCpu),
                Figure.of(title(), "CPU per alert: PostgreSQL (all its processes)", "µs", postgresCpu),
                Figure.of(title(), "CPU per alert: the benchmark's synthetic source", "µs", benchCpu));
    }

    private static double copy(BenchDatabase db, String text, int rows) throws Exception {
        db.execute("CREATE TABLE alert_log_copy (id serial primary key, alert_log varchar, "
                + "created_at timestamptz not null default now())");
        try (Connection c = db.connect()) {
            long start = System.nanoTime();
            long copied = c.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("COPY alert_log_copy (alert_log) FROM STDIN", new StringReader(text));
            double seconds = (System.nanoTime() - start) / 1e9;
            if (copied != rows) {
                throw new IllegalStateException("COPY wrote " + copied + " rows, expected " + rows);
            }
            return rows / seconds;
        }
    }
}
