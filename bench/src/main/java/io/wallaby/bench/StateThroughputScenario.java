package io.wallaby.bench;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * 8. Keyed state: velocity_alerts (a keyed, windowed step: per stream, account and hour window, the sum of the
 * withdrawals) with {@value #ACCOUNTS} accounts, on 1 and on 4 streams of one in-process source connection
 * ({@link KeyedSource}, {@link KeyedLoad}), default lanes (one per core) and checkpoints (every second, RocksDB
 * in a fresh state directory); a counting sink drains and acknowledges (no window closes during the run, so it
 * gets nothing). First the fill: {@value #ACCOUNTS} messages, one per account, which makes every key and warms
 * the engine's JIT; then the measured messages, each adding to a key that exists, with {@value #ACCOUNTS} keys
 * live. Measures messages/s through the step, the engine's CPU per million messages and its peak RSS.
 */
final class StateThroughputScenario extends AbstractScenario {

    static final String KEY = "state";
    static final String TITLE = "8. Keyed state, 1M keys";
    static final int ACCOUNTS = 1_000_000;
    private static final int DEFAULT_ROWS = 2_000_000;
    private static final int[] STREAMS = {1, 4};
    private static final Logger log = LoggerFactory.getLogger(StateThroughputScenario.class);

    StateThroughputScenario() {
        super(KEY, TITLE);
    }

    @Override
    public List<Figure> run(BenchContext context) throws Exception {
        int rows = context.rows(DEFAULT_ROWS);
        long step = KeyedLoad.stepMicros(ACCOUNTS + (long) rows);
        KeyedLoad fill1 = KeyedLoad.of(0, ACCOUNTS, ACCOUNTS, 1, step);
        KeyedLoad load1 = KeyedLoad.of(ACCOUNTS, rows, ACCOUNTS, 1, step);
        PerRun perRun = new PerRun();
        for (int run = 1; run <= context.runs(); run++) {
            for (int streams : STREAMS) {
                KeyedLoad fill = fill1.over(ACCOUNTS, streams);
                KeyedLoad load = load1.over(ACCOUNTS, streams);
                try (StateEngine engine = new StateEngine(context, KEY, run, streams + "-streams").start();
                     CountingSink sink = new CountingSink(engine.sinkPort());
                     KeyedSource source = new KeyedSource(engine.sourcePort(), fill.streams)) {
                    long fillStart = System.nanoTime();
                    source.writeAll(fill);
                    long fillEnd = engine.awaitProcessed(ACCOUNTS, Duration.ofMinutes(3));
                    long keys = engine.admin().stateEntries();

                    double cpuBefore = ProcFs.cpuSeconds(engine.pid());
                    long start = System.nanoTime();
                    source.writeAll(load);
                    long end = engine.awaitProcessed(ACCOUNTS + (long) rows, Duration.ofMinutes(5));
                    double cpu = ProcFs.cpuSeconds(engine.pid()) - cpuBefore;
                    double seconds = (end - start) / 1e9;
                    long keysAfter = engine.admin().stateEntries();
                    double rss = ProcFs.peakRssMiB(engine.pid());
                    source.awaitAcknowledged(load, Duration.ofMinutes(2));
                    if (sink.count() != 0) {
                        throw new IllegalStateException("a window closed during the run (" + sink.count()
                                + " alerts): the state was not " + ACCOUNTS + " live keys");
                    }
                    String label = label(streams);
                    perRun.put("fill " + label, run, ACCOUNTS / ((fillEnd - fillStart) / 1e9));
                    perRun.put("rate " + label, run, rows / seconds);
                    perRun.put("cpu " + label, run, cpu / rows * 1e6);
                    perRun.put("rss " + label, run, rss);
                    perRun.put("keys " + label, run, (double) keysAfter);
                    log.info("keyed state, {}, run {}: fill {} msg/s ({} keys); {} messages at {} keys in {} s "
                                    + "({} msg/s), engine CPU {} s, peak RSS {} MiB", label, run,
                            String.format("%.0f", ACCOUNTS / ((fillEnd - fillStart) / 1e9)), keys, rows, keysAfter,
                            String.format("%.2f", seconds), String.format("%.0f", rows / seconds),
                            String.format("%.2f", cpu), String.format("%.0f", rss));
                }
            }
        }
        context.note("Keyed state (8): velocity_alerts with --app-config window=" + KeyedLoad.WINDOW_SECONDS
                + ", default lanes (one per core), checkpoint interval (200 ms) and store (RocksDB, fresh --state-dir "
                + "per run); engine JVM as the launcher starts it (-XX:+UseSerialGC) but with " + StateEngine.HEAP
                + " instead of -Xmx256m, with which it ran out of heap before holding 1,000,000 keys. An in-process source "
                + "writes pre-encoded rows {id, amount, account, created_at} on 1 stream or on 4 (transactions.0..3, "
                + "split by account with the generator's StreamPartitions hash) over one connection, with a replay "
                + "buffer of " + KeyedSource.REPLAY_CAPACITY + " per stream so that the SDK's default (100,000 "
                + "unacknowledged per stream, while acknowledgements wait for a durable checkpoint) does not set the "
                + "pace. Fill: " + ACCOUNTS + " messages, one per account (not measured; it also warms the JIT). "
                + "Measured: the next " + rows + " messages, each adding to an existing key, so " + ACCOUNTS
                + " keys are live throughout (read from /status stateEntries after the run); created_at steps by "
                + KeyedLoad.stepMicros(ACCOUNTS + (long) rows) + " µs, so the whole load stays in the first hour "
                + "window and no window closes (the counting sink receives nothing, which the run checks). Time "
                + "from the first measured write until the engine's wallaby_messages_processed_total (polled every "
                + "2 ms) counts them all: processing, not acknowledgement, which waits for the next checkpoint. CPU "
                + "is the engine's utime+stime over the same interval; peak RSS is VmHWM at the end of the run.");
        List<Figure> figures = new ArrayList<>();
        for (int streams : STREAMS) {
            String label = label(streams);
            figures.add(streams == 4
                    ? Figure.withTarget(TITLE, "messages/s at 1M keys, " + label, "msg/s",
                    perRun.values("rate " + label), "≥ 500,000", v -> v >= 500_000)
                    : Figure.of(TITLE, "messages/s at 1M keys, " + label, "msg/s", perRun.values("rate " + label)));
            figures.add(Figure.of(TITLE, "messages/s while making the 1M keys (fill), " + label, "msg/s",
                    perRun.values("fill " + label)));
            figures.add(Figure.of(TITLE, "engine CPU per million messages at 1M keys, " + label, "CPU s",
                    perRun.values("cpu " + label)));
            figures.add(Figure.of(TITLE, "state entries after the run, " + label, "keys",
                    perRun.values("keys " + label)));
            figures.add(Figure.withTarget(MemoryScenario.TITLE, "engine peak RSS, 1M keys (scenario 8), " + label,
                    "MiB", perRun.values("rss " + label), "< 512", v -> v < 512));
        }
        return figures;
    }

    private static String label(int streams) {
        return streams == 1 ? "1 stream" : streams + " streams";
    }
}
