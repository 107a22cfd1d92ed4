package io.wallaby.bench;

import io.wallaby.launcher.Pieces;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * 1. The engine alone: an in-process synthetic source sends pre-encoded transactions into the engine
 * process (alert_stateless) as fast as credits allow; an in-process sink commits and discards the alerts.
 * Measures messages/s through the engine and the engine's CPU seconds per million messages.
 */
final class EngineAloneScenario extends AbstractScenario {

    static final String KEY = "engine";
    private static final Logger log = LoggerFactory.getLogger(EngineAloneScenario.class);
    private static final int DEFAULT_ROWS = 2_000_000;
    /**
     * Enough for the engine's JIT to finish with the message path before the clock starts: with a
     * 200,000-message warm-up, ~3.6 CPU-s of compiler threads still fell inside a 6M-message run.
     */
    private static final int WARM_UP_ROWS = 1_000_000;

    EngineAloneScenario() {
        super(KEY, "1. Engine alone");
    }

    /** What --watch did, with the page's own count of the /status answers it showed during each measured run. */
    private static String watchNote(BenchContext.Watch watch, List<Double> pageUpdates) {
        return switch (watch) {
            case none -> "";
            case admin -> " --watch admin: the engine's admin port was on (rates and progress sampled each second on "
                    + "its own event loop), nothing read it.";
            case page -> " --watch page: the engine's web view was open in headless Chromium on the same machine "
                    + "throughout, polling /status; it showed " + pageUpdates.stream().map(u -> String.format("%.0f", u))
                    .toList() + " answers during the measured runs.";
        };
    }

    @Override
    public List<Figure> run(BenchContext context) throws Exception {
        int rows = context.rows(DEFAULT_ROWS);
        // A fresh engine JVM per run is cold: the warm-up goes first on the same session and is not
        // counted, so the figure is the engine's steady state, not its JIT.
        int warmRows = WARM_UP_ROWS;
        TransactionLoad warm = TransactionLoad.generated(0, warmRows);
        TransactionLoad load = TransactionLoad.generated(warmRows, rows);
        byte[][] warmPayloads = warm.jsonPayloads();
        byte[][] payloads = load.jsonPayloads();
        long warmAlerts = warm.expectedAlerts();
        long alerts = load.expectedAlerts();

        List<Double> rates = new ArrayList<>();
        List<Double> cpuPerMillion = new ArrayList<>();
        List<Double> engineRss = new ArrayList<>();
        List<Double> pageUpdates = new ArrayList<>();
        for (int run = 1; run <= context.runs(); run++) {
            try (Pieces pieces = context.pieces(KEY, run)) {
                int adminPort = Pieces.freePort();
                if (context.watch() == BenchContext.Watch.none) {
                    pieces.startEngine();
                } else {
                    pieces.startEngine("--admin-port", Integer.toString(adminPort));
                }
                long engine = ProcFs.childRunning("wallaby-engine.jar");
                // Null (nothing to close) unless the web view is to be open throughout the run.
                try (WebViewWatcher page = context.watch() == BenchContext.Watch.page ? WebViewWatcher.open(adminPort)
                        : null;
                     CountingSink sink = new CountingSink(pieces.sinkPort());
                     SyntheticSource source = new SyntheticSource(pieces.sourcePort())) {
                    source.writeAll(warmPayloads);
                    sink.awaitCount(warmAlerts, Duration.ofMinutes(2));
                    source.awaitAcknowledged(Duration.ofMinutes(1));

                    int updatesBefore = page == null ? 0 : page.updates();
                    double cpuBefore = ProcFs.cpuSeconds(engine);
                    long start = System.nanoTime();
                    source.writeAll(payloads);
                    long alertsDone = sink.awaitCount(warmAlerts + alerts, Duration.ofMinutes(5));
                    // Through the engine means every input acknowledged and every alert delivered.
                    long end = Math.max(alertsDone, source.awaitAcknowledged(Duration.ofMinutes(1)));
                    double cpu = ProcFs.cpuSeconds(engine) - cpuBefore;
                    double seconds = (end - start) / 1e9;
                    if (page != null) {
                        pageUpdates.add((double) (page.updates() - updatesBefore));
                    }
                    rates.add(rows / seconds);
                    cpuPerMillion.add(cpu / rows * 1e6);
                    engineRss.add(ProcFs.peakRssMiB(engine));
                    log.info("engine alone run {}: {} messages in {} s ({} msg/s), engine CPU {} s", run, rows,
                            String.format("%.2f", seconds), String.format("%.0f", rows / seconds),
                            String.format("%.2f", cpu));
                }
            }
        }
        context.note("Engine alone: steady state after warm-up. Each run sends " + warmRows + " messages first "
                + "on the same session, not measured, so that the engine's JIT compilation is done before the "
                + "clock starts; then the " + rows + " measured messages, " + alerts + " of which raise alerts. "
                + "Time from the first write to the last input "
                + "acknowledged and the last alert read by the sink. CPU is utime+stime of the engine process "
                + "from /proc over the same interval." + watchNote(context.watch(), pageUpdates));
        return List.of(
                Figure.withTarget(title(), "messages/s through the engine", "msg/s", rates, "≥ 1,000,000",
                        v -> v >= 1_000_000),
                Figure.of(title(), "engine CPU per million messages", "CPU s", cpuPerMillion),
                Figure.withTarget(MemoryScenario.TITLE, "engine peak RSS during scenario 1", "MiB", engineRss,
                        "< 512", v -> v < 512));
    }
}
