package io.wallaby.bench;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * 10. Recovery after kill -9: scenario 8's engine and fill on 4 streams (1,000,000 keys), every message
 * acknowledged (so in a durable checkpoint), then SIGKILL and a new engine process on the same ports and state
 * directory. Measures how long until it accepts connections, how long its restore took (its own log line), how long
 * until a new source connection has its streams open again at their positions (NOTIFY answered), and until the
 * new messages it then writes are acknowledged (after the streams' next checkpoint).
 */
final class RecoveryScenario extends AbstractScenario {

    static final String KEY = "recovery";
    static final String TITLE = "10. Recovery after kill -9, 1M keys";
    private static final int ACCOUNTS = StateThroughputScenario.ACCOUNTS;
    private static final int STREAMS = 4;
    private static final Pattern RESTORED = Pattern.compile("Restored (\\d+) stream\\(s\\) from .* in (\\d+) ms");
    private static final Logger log = LoggerFactory.getLogger(RecoveryScenario.class);

    RecoveryScenario() {
        super(KEY, TITLE);
    }

    @Override
    public List<Figure> run(BenchContext context) throws Exception {
        KeyedLoad fill = KeyedLoad.of(0, ACCOUNTS, ACCOUNTS, STREAMS, KeyedLoad.stepMicros(ACCOUNTS + 10L));
        // After the restart: a few more messages over the streams, to time the first acknowledgement.
        KeyedLoad after = KeyedLoad.of(fill.first + fill.size(), 64, ACCOUNTS, STREAMS,
                KeyedLoad.stepMicros(ACCOUNTS + 10L));
        PerRun perRun = new PerRun();
        for (int run = 1; run <= context.runs(); run++) {
            try (StateEngine engine = new StateEngine(context, KEY, run, "engine").start();
                 CountingSink sink = new CountingSink(engine.sinkPort())) {
                KeyedSource before = new KeyedSource(engine.sourcePort(), fill.streams);
                long[] acknowledged = new long[STREAMS];
                try {
                    before.writeAll(fill);
                    before.awaitAcknowledged(fill, Duration.ofMinutes(3));
                    for (int s = 0; s < STREAMS; s++) {
                        acknowledged[s] = fill.lastIdOn(s);
                    }
                    long keys = engine.admin().stateEntries();
                    double disk = engine.stateBytesOnDisk() / 1048576.0;
                    engine.kill();
                    perRun.put("keys before", run, (double) keys);
                    perRun.put("disk", run, disk);
                } finally {
                    before.abandon();
                }

                long started = System.nanoTime();
                engine.start();
                long ready = System.nanoTime();
                long restoredMillis = restoredMillis(engine);
                KeyedSource source = new KeyedSource(engine.sourcePort(), fill.streams);
                long reopened = System.nanoTime();
                for (int s = 0; s < STREAMS; s++) {
                    if (source.resumedAt(s) != acknowledged[s]) {
                        throw new IllegalStateException("stream " + fill.streams.get(s) + " resumed after "
                                + Long.toUnsignedString(source.resumedAt(s)) + " instead of " + acknowledged[s]);
                    }
                }
                long keysAfter = engine.admin().stateEntries();
                long writeAt = System.nanoTime();
                source.writeAll(after);
                long acked = source.awaitAcknowledged(after, Duration.ofMinutes(1));
                source.abandon();
                perRun.put("ready", run, (ready - started) / 1e6);
                perRun.put("restore", run, (double) restoredMillis);
                perRun.put("reopened", run, (reopened - started) / 1e6);
                perRun.put("first ack", run, (acked - started) / 1e6);
                perRun.put("ack after write", run, (acked - writeAt) / 1e6);
                perRun.put("keys after", run, (double) keysAfter);
                log.info("recovery run {}: ready {} ms after the start, restore {} ms, streams reopened at {} ms, "
                                + "first ack at {} ms ({} ms after the write), {} keys restored", run,
                        (ready - started) / 1_000_000, restoredMillis, (reopened - started) / 1_000_000,
                        (acked - started) / 1_000_000, (acked - writeAt) / 1_000_000, keysAfter);
            }
        }
        context.note("Recovery (10): scenario 8's engine and fill on 4 streams, " + ACCOUNTS + " keys, every message "
                + "acknowledged (in a durable checkpoint); SIGKILL; the source connection dropped; then a new engine "
                + "process on the same ports and --state-dir, timed from just before its start: ready is its "
                + "'ready' log line (it accepts connections; the restore runs before it); restore is the engine's "
                + "own 'Restored N stream(s) ... in X ms'; reopened is when a new in-process source connection has "
                + "all 4 streams open, each answered with the position acknowledged before the kill (checked); "
                + "first ACK is when that source has written 64 more messages over the streams and the engine has "
                + "acknowledged them all, which waits for the streams' next checkpoint (every 200 ms, the default). Keys after: /status stateEntries once restored. A real source reconnects with its "
                + "own backoff on top of these figures.");
        return List.of(
                Figure.of(TITLE, "state entries checkpointed before the kill", "keys", perRun.values("keys before")),
                Figure.of(TITLE, "state directory on disk at the kill", "MiB", perRun.values("disk")),
                Figure.of(TITLE, "engine start to ready (accepts connections)", "ms", perRun.values("ready")),
                Figure.of(TITLE, "restore, by the engine's log line", "ms", perRun.values("restore")),
                Figure.of(TITLE, "engine start to 4 streams reopened at their positions", "ms",
                        perRun.values("reopened")),
                Figure.of(TITLE, "engine start to new messages acknowledged (after the next checkpoint, every 200 ms)", "ms", perRun.values("first ack")),
                Figure.of(TITLE, "state entries restored", "keys", perRun.values("keys after")));
    }

    private static long restoredMillis(StateEngine engine) {
        for (String line : engine.process().lines()) {
            Matcher m = RESTORED.matcher(line);
            if (m.find()) {
                return Long.parseLong(m.group(2));
            }
        }
        throw new IllegalStateException("the restarted engine logged no 'Restored ...' line; see "
                + engine.process().log());
    }
}
