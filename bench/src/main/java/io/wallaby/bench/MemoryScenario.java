package io.wallaby.bench;

import io.wallaby.launcher.Pieces;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * 7. Memory. Scenarios 1 and 3 report each process's peak RSS themselves (VmHWM at the end of each run,
 * which covers the whole run since every run starts fresh processes); this adds the engine holding
 * {@value #PENDING} outputs while no sink is connected, with default settings.
 */
final class MemoryScenario implements Scenario {

    static final String KEY = "memory";
    static final String TITLE = "7. Memory";
    static final int PENDING = 100_000;
    private static final Logger log = LoggerFactory.getLogger(MemoryScenario.class);

    @Override
    public String key() {
        return KEY;
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public List<Figure> run(BenchContext context) throws Exception {
        // Every transaction raises an alert: 100,000 inputs leave 100,000 outputs pending.
        byte[][] payloads = TransactionLoad.allAlerting(0, PENDING).jsonPayloads();
        List<Double> rss = new ArrayList<>();
        List<Double> acknowledged = new ArrayList<>();
        for (int run = 1; run <= context.runs(); run++) {
            try (Pieces pieces = context.pieces(KEY, run)) {
                pieces.startEngine();
                long engine = ProcFs.childRunning("wallaby-engine.jar");
                SyntheticSource source = new SyntheticSource(pieces.sourcePort());
                try {
                    // Writes block once the engine stops granting credit (its pending limit), so write on
                    // another thread and wait for the engine to acknowledge what it has taken in.
                    Thread writer = new Thread(() -> source.writeAll(payloads), "bench-memory-writer");
                    writer.setDaemon(true);
                    writer.start();
                    long acked = awaitSettled(source, Duration.ofMinutes(2));
                    rss.add(ProcFs.peakRssMiB(engine));
                    acknowledged.add((double) acked);
                    log.info("memory run {}: {} outputs pending, engine peak RSS {} MiB", run, acked,
                            String.format("%.0f", rss.get(rss.size() - 1)));
                } finally {
                    // No sink will ever take the outputs: stop the engine first so closing cannot wait long.
                    pieces.close();
                    source.close();
                }
            }
        }
        context.note("Memory: peak RSS is VmHWM from /proc/<pid>/status. Pending outputs: " + PENDING + " "
                + "transactions that all raise alerts sent to an engine with default settings and no sink; the "
                + "figure is read once the engine has acknowledged as many as it takes in (stable for 1 s).");
        return List.of(
                Figure.of(TITLE, "inputs the engine took in with no sink", "messages", acknowledged),
                Figure.withTarget(TITLE, "engine peak RSS, " + String.format("%,d", PENDING)
                        + " outputs pending, no sink", "MiB", rss, "< 512", v -> v < 512));
    }

    /** Waits until the acknowledged point reaches PENDING or stops moving for a second. */
    private static long awaitSettled(SyntheticSource source, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1;
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long acked = source.acknowledged();
            if (acked >= PENDING) {
                return acked;
            }
            if (acked != last) {
                last = acked;
                stableSince = System.nanoTime();
            } else if (acked > 0 && System.nanoTime() - stableSince > 1_000_000_000L) {
                return acked;
            }
            Thread.sleep(50);
        }
        return last;
    }
}
