package io.wallaby.bench;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * 9. Checkpoints at 1,000,000 keys: scenario 8's engine, load and fill on 4 streams, then the measured messages
 * while the engine checkpoints every second (default), each checkpoint holding the keys changed since the last.
 *
 * <p>A checkpoint is taken on the lane (it hands its change maps over) and written by a separate thread, so its
 * duration (wallaby_checkpoint_duration_max_seconds: taken on the lane to durable on disk) is not a pause of
 * processing. The pause processing sees is measured from outside: the engine grants a source credits only once
 * its lanes have processed what they cover, so the longest time between two of the source's writes returning
 * bounds from above the longest time processing stood still while it had work. The same is measured with
 * checkpoints held off ({@code --checkpoint-interval 1h}, one at the end), which shows what stalls there are
 * anyway (GC, the machine); the difference is the checkpoints' share.
 */
final class CheckpointScenario extends AbstractScenario {

    static final String KEY = "checkpoint";
    static final String TITLE = "9. Checkpoints, 1M keys";
    private static final int ACCOUNTS = StateThroughputScenario.ACCOUNTS;
    private static final int STREAMS = 4;
    private static final int DEFAULT_ROWS = 1_000_000;
    private static final long POLL_MILLIS = 50;
    private static final Logger log = LoggerFactory.getLogger(CheckpointScenario.class);

    CheckpointScenario() {
        super(KEY, TITLE);
    }

    @Override
    public List<Figure> run(BenchContext context) throws Exception {
        int rows = context.rows(DEFAULT_ROWS);
        long step = KeyedLoad.stepMicros(ACCOUNTS + (long) rows);
        KeyedLoad fill = KeyedLoad.of(0, ACCOUNTS, ACCOUNTS, STREAMS, step);
        KeyedLoad load = KeyedLoad.of(ACCOUNTS, rows, ACCOUNTS, STREAMS, step);
        PerRun perRun = new PerRun();
        for (int run = 1; run <= context.runs(); run++) {
            measure(context, run, fill, load, true, perRun);
            measure(context, run, fill, load, false, perRun);
        }
        context.note("Checkpoints (9): scenario 8's engine, load and fill on 4 streams (1,000,000 keys), then " + rows
                + " more messages, each changing an existing key, while the engine checkpoints each stream every "
                + "second (default; a checkpoint holds the keys changed since the stream's last one). Checkpoint "
                + "duration is the engine's wallaby_checkpoint_duration_max_seconds (since start: the fill's "
                + "checkpoints included), i.e. from taken on the lane to durable on disk, the writer thread's time, "
                + "not a pause. Size is the largest wallaby_checkpoint_size_bytes seen (/metrics polled every "
                + POLL_MILLIS + " ms during the measured messages; one checkpoint of one stream, the RocksDB write "
                + "batch's data size); on disk: every file under --state-dir at the end. Pause: the engine tops a "
                + "source's credits up (8,192 at most) only once its lanes have processed the messages they cover, "
                + "so the longest time between two of the source's writes returning, during the measured messages, "
                + "bounds from above how long processing stood still with work waiting. It also holds the source's "
                + "own scheduling and GC on 2 shared cores and a refill's round trip, so the same figure with "
                + "checkpoints held off (--checkpoint-interval 1h: none during the run) is given beside it. Lowest "
                + "rate: the smallest rate of wallaby_messages_processed_total between two polls " + POLL_MILLIS
                + " ms apart, over the median of those rates.");
        List<Figure> figures = new ArrayList<>();
        figures.add(Figure.of(TITLE, "checkpoints completed during the measured messages (4 streams)", "checkpoints",
                perRun.values("completed")));
        figures.add(Figure.of(TITLE, "longest checkpoint, taken to durable (writer thread, not a pause)", "ms",
                perRun.values("duration max")));
        figures.add(Figure.of(TITLE, "largest checkpoint of one stream", "MiB", perRun.values("size max")));
        figures.add(Figure.of(TITLE, "state directory on disk at the end", "MiB", perRun.values("disk")));
        figures.add(Figure.withTarget(TITLE, "longest processing stall seen by the source, checkpoints every 200 ms (default)",
                "ms", perRun.values("gap on"), "≤ 100", v -> v <= 100));
        figures.add(Figure.of(TITLE, "longest processing stall seen by the source, checkpoints held off", "ms",
                perRun.values("gap off")));
        figures.add(Figure.of(TITLE, "lowest 50 ms processing rate / median, checkpoints every 200 ms (default)", "ratio",
                perRun.values("dip on")));
        figures.add(Figure.of(TITLE, "lowest 50 ms processing rate / median, checkpoints held off", "ratio",
                perRun.values("dip off")));
        figures.add(Figure.of(TITLE, "messages/s, checkpoints every 200 ms (default)", "msg/s", perRun.values("rate on")));
        figures.add(Figure.of(TITLE, "messages/s, checkpoints held off", "msg/s", perRun.values("rate off")));
        return figures;
    }

    private void measure(BenchContext context, int run, KeyedLoad fill, KeyedLoad load, boolean checkpoints,
                         PerRun perRun) throws Exception {
        String part = checkpoints ? "every-1s" : "held-off";
        String[] extra = checkpoints ? new String[0] : new String[] {"--checkpoint-interval", "1h"};
        try (StateEngine engine = new StateEngine(context, KEY, run, part, extra).start();
             CountingSink sink = new CountingSink(engine.sinkPort());
             KeyedSource source = new KeyedSource(engine.sourcePort(), fill.streams)) {
            try {
                measure(engine, source, run, fill, load, checkpoints, perRun);
            } finally {
                if (!checkpoints) {
                    engine.close(); // before the source, whose close would wait for acknowledgements
                    source.abandon();
                }
            }
        }
    }

    private void measure(StateEngine engine, KeyedSource source, int run, KeyedLoad fill, KeyedLoad load,
                         boolean checkpoints, PerRun perRun) throws Exception {
        String part = checkpoints ? "every-1s" : "held-off";
        String on = checkpoints ? "on" : "off";
        source.writeAll(fill);
        engine.awaitProcessed(ACCOUNTS, Duration.ofMinutes(3));
        double completedBefore = engine.admin().metric("wallaby_checkpoints_completed_total");

        Poller poller = new Poller(engine.admin());
        Thread polling = new Thread(poller, "bench-checkpoint-poller");
        polling.setDaemon(true);
        polling.start();
        source.resetGaps();
        long start = System.nanoTime();
        source.writeAll(load);
        long end = engine.awaitProcessed(ACCOUNTS + (long) load.size(), Duration.ofMinutes(5));
        poller.stop();
        polling.join(5000);
        String scraped = engine.admin().scrape();
        double completed = EngineAdmin.sample(scraped, "wallaby_checkpoints_completed_total") - completedBefore;
        double maxDuration = EngineAdmin.sample(scraped, "wallaby_checkpoint_duration_max_seconds");
        double gap = source.longestWriteGapNanos() / 1e6;
        double rate = load.size() / ((end - start) / 1e9);
        double disk = Double.NaN;
        if (checkpoints) {
            // Everything durable and acknowledged, then the disk. Held off, nothing is acknowledged before the
            // interval (and the SDK sends EOS only once all is acknowledged): that engine is just stopped.
            source.awaitAcknowledged(load, Duration.ofMinutes(2));
            disk = engine.stateBytesOnDisk() / 1048576.0;
        }
        perRun.put("gap " + on, run, gap);
        perRun.put("dip " + on, run, poller.lowestOverMedian());
        perRun.put("rate " + on, run, rate);
        if (checkpoints) {
            perRun.put("completed", run, completed);
            perRun.put("duration max", run, maxDuration * 1e3);
            perRun.put("size max", run, poller.largestCheckpointBytes() / 1048576.0);
            perRun.put("disk", run, disk);
        }
        log.info("checkpoints {}, run {}: {} msg/s, longest write gap {} ms (ended {} ms after the start), lowest "
                        + "rate/median {}, {} checkpoints, longest {} ms, largest {} bytes, {} MiB on disk", part,
                run, String.format("%.0f", rate), String.format("%.1f", gap),
                (source.longestWriteGapEndedAt() - start) / 1_000_000, String.format("%.2f",
                        poller.lowestOverMedian()), completed, String.format("%.0f", maxDuration * 1e3),
                poller.largestCheckpointBytes(), String.format("%.0f", disk));
    }

    /** Polls /metrics: the processing rate between polls and the largest checkpoint seen. */
    private static final class Poller implements Runnable {

        private final EngineAdmin admin;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Double> rates = new ArrayList<>();
        private volatile long largestBytes;

        Poller(EngineAdmin admin) {
            this.admin = admin;
        }

        @Override
        public void run() {
            long lastAt = 0;
            double lastProcessed = -1;
            try {
                while (running.get()) {
                    String scraped = admin.scrape();
                    long now = System.nanoTime();
                    double processed = EngineAdmin.sample(scraped, "wallaby_messages_processed_total");
                    double bytes = EngineAdmin.sample(scraped, "wallaby_checkpoint_size_bytes");
                    if (!Double.isNaN(bytes)) {
                        largestBytes = Math.max(largestBytes, (long) bytes);
                    }
                    if (lastProcessed >= 0) {
                        synchronized (rates) {
                            rates.add((processed - lastProcessed) / ((now - lastAt) / 1e9));
                        }
                    }
                    lastProcessed = processed;
                    lastAt = now;
                    Thread.sleep(POLL_MILLIS);
                }
            } catch (Exception e) {
                log.warn("polling /metrics stopped: {}", e.toString());
            }
        }

        void stop() {
            running.set(false);
        }

        long largestCheckpointBytes() {
            return largestBytes;
        }

        /**
         * The lowest rate between two polls over their median, leaving out the last interval (the load's end).
         */
        double lowestOverMedian() {
            List<Double> inside;
            synchronized (rates) {
                inside = new ArrayList<>(rates.subList(0, Math.max(0, rates.size() - 1)));
            }
            if (inside.size() < 3) {
                return Double.NaN;
            }
            double lowest = inside.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
            return lowest / Stats.of(inside).median();
        }
    }
}
