package io.wallaby.bench;

import io.wallaby.connector.StreamPartitions;
import io.wallaby.source.generator.AlertsStatelessGenerator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The load of the state scenarios (8, 9, 10): transactions for velocity_alerts, a keyed and windowed step,
 * pre-encoded before any clock starts, spread over 1 or more streams by account as the generator's
 * {@code --partitions} does ({@link StreamPartitions}, so one account always on one stream).
 *
 * <p>Message {@code n} (from 0; its id is {@code n + 1} on whichever stream carries it, so ids increase on
 * every stream) has the alerts_stateless generator's amount, the account {@code 1 + (n * 7919 mod accounts)}
 * and the creation time {@code 2026-01-01T00:00:00Z + n * step}. 7919 is a prime that divides no account count
 * used here, so the first {@code accounts} messages touch every account exactly once (the fill: every key
 * made) and every later message adds to a key that exists; neighbouring messages land on unrelated accounts.
 * Event time increases with n on every stream; the scenarios choose the step so that the whole load stays
 * inside one window, so no window closes and every key stays live.
 */
final class KeyedLoad {

    static final String STREAM = "transactions";
    static final String APPLICATION = "velocity_alerts";
    /** Tumbling windows of an hour: the whole load's event time fits in the first, so none closes. */
    static final int WINDOW_SECONDS = 3600;
    /** The load's event time spans at most this much of the window (lateness is 5 s, the default). */
    private static final long SPAN_MICROS = 3_000_000_000L;
    private static final long STRIDE = 7919;
    /** Partition of each account, per (accounts, streams): SHA-256 per account is costly, so once per run set. */
    private static final Map<String, byte[]> PARTITIONS = new ConcurrentHashMap<>();

    final long first;
    final byte[][] payloads;
    /** The stream index (0 .. streams-1) of each message. */
    final byte[] streamOf;
    final List<String> streams;

    private KeyedLoad(long first, byte[][] payloads, byte[] streamOf, List<String> streams) {
        this.first = first;
        this.payloads = payloads;
        this.streamOf = streamOf;
        this.streams = streams;
    }

    /** The stream names of a load over {@code streams} streams: {@code transactions}, or {@code transactions.0 ..}. */
    static List<String> streamNames(int streams) {
        List<String> names = new ArrayList<>();
        for (int p = 0; p < streams; p++) {
            names.add(streams == 1 ? STREAM : StreamPartitions.streamName(STREAM, p));
        }
        return names;
    }

    /** The creation-time step that keeps {@code totalMessages} inside one window: at most 1 ms. */
    static long stepMicros(long totalMessages) {
        return Math.max(1, Math.min(1000, SPAN_MICROS / Math.max(1, totalMessages)));
    }

    /** The engine flags of every state scenario: velocity_alerts, hour windows, checkpoints in {@code stateDir}. */
    static List<String> engineArgs(String stateDir) {
        return List.of("--application", APPLICATION, "--app-config", "window=" + WINDOW_SECONDS,
                "--state-dir", stateDir);
    }

    /** Messages {@code first .. first+count-1} over {@code accounts} accounts and {@code streams} streams. */
    static KeyedLoad of(long first, int count, int accounts, int streams, long stepMicros) {
        if (accounts % STRIDE == 0) {
            throw new IllegalArgumentException("accounts must not be a multiple of " + STRIDE + ", was " + accounts);
        }
        byte[] partitionOf = PARTITIONS.computeIfAbsent(accounts + "/" + streams, k -> partitions(accounts, streams));
        AlertsStatelessGenerator amounts = AlertsStatelessGenerator.startingAt(first);
        byte[][] payloads = new byte[count][];
        byte[] streamOf = new byte[count];
        StringBuilder text = new StringBuilder(96);
        for (int i = 0; i < count; i++) {
            long n = first + i;
            int account = account(n, accounts);
            text.setLength(0);
            text.append("{\"id\":").append(n + 1).append(",\"amount\":").append(amounts.next().amount())
                    .append(",\"account\":").append(account).append(",\"created_at\":\"");
            createdAt(text, n * stepMicros);
            text.append("\"}");
            payloads[i] = text.toString().getBytes(StandardCharsets.UTF_8);
            streamOf[i] = partitionOf[account];
        }
        return new KeyedLoad(first, payloads, streamOf, streamNames(streams));
    }

    /** The same messages spread over {@code streams} streams instead: payloads shared, not encoded again. */
    KeyedLoad over(int accounts, int streams) {
        byte[] partitionOf = PARTITIONS.computeIfAbsent(accounts + "/" + streams, k -> partitions(accounts, streams));
        byte[] spread = new byte[payloads.length];
        for (int i = 0; i < payloads.length; i++) {
            spread[i] = partitionOf[account(first + i, accounts)];
        }
        return new KeyedLoad(first, payloads, spread, streamNames(streams));
    }

    static int account(long n, int accounts) {
        return 1 + (int) Math.floorMod(n * STRIDE, (long) accounts);
    }

    int size() {
        return payloads.length;
    }

    /** The id of message {@code index} of this load. */
    long id(int index) {
        return first + index + 1;
    }

    /** The id of the last message this load puts on stream {@code s}, or -1 when it puts none there. */
    long lastIdOn(int s) {
        for (int i = payloads.length - 1; i >= 0; i--) {
            if (streamOf[i] == s) {
                return id(i);
            }
        }
        return -1;
    }

    private static byte[] partitions(int accounts, int streams) {
        byte[] partitionOf = new byte[accounts + 1];
        if (streams > 1) {
            for (int a = 1; a <= accounts; a++) {
                partitionOf[a] = (byte) StreamPartitions.of(Integer.toString(a), streams);
            }
        }
        return partitionOf;
    }

    /** 2026-01-01T00:00:00Z plus {@code micros} (under a day), as ISO-8601 with microseconds. */
    private static void createdAt(StringBuilder out, long micros) {
        long seconds = micros / 1_000_000;
        out.append("2026-01-01T");
        two(out, seconds / 3600);
        out.append(':');
        two(out, seconds / 60 % 60);
        out.append(':');
        two(out, seconds % 60);
        out.append('.');
        String fraction = Long.toString(1_000_000 + micros % 1_000_000);
        out.append(fraction, 1, 7).append('Z');
    }

    private static void two(StringBuilder out, long value) {
        if (value < 10) {
            out.append('0');
        }
        out.append(value);
    }
}
