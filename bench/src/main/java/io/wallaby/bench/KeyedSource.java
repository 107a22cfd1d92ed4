package io.wallaby.bench;

import io.wallaby.connector.ConnectorSettings;
import io.wallaby.connector.EngineAddress;
import io.wallaby.connector.SourceConnector;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Frames;

import java.time.Duration;
import java.util.List;

/**
 * A source connector inside the benchmark's process, on the connector SDK, that writes a {@link KeyedLoad}
 * over its streams on one connection as fast as the engine's credits allow, like {@link SyntheticSource} for
 * several streams.
 *
 * <p>Its replay buffer holds {@link #REPLAY_CAPACITY} messages per stream, not the SDK's default 100,000: a
 * stateful engine acknowledges only what a durable checkpoint holds (every second by default), so with the
 * default buffer a stream could not pass about 100,000 messages per checkpoint interval, and the SDK, not the
 * engine, would set the pace. Credits still do: the engine tops them up only once its lanes have processed
 * what they cover, so {@link #longestWriteGapNanos} (the longest time between two writes returning) bounds from
 * above how long processing stood still while this source had work for it.
 */
final class KeyedSource implements AutoCloseable {

    static final int REPLAY_CAPACITY = 10_000_000;

    private final SourceConnector connector;
    private final List<String> streams;
    private final long[] resumedAt;
    private long longestGap;
    private long longestGapAt;

    KeyedSource(int enginePort, List<String> streams) {
        this(List.of(new EngineAddress("127.0.0.1", enginePort)), streams);
    }

    /** Told every engine of {@code engines}: each stream goes where the cluster serves it. */
    KeyedSource(List<EngineAddress> engines, List<String> streams) {
        this.streams = streams;
        connector = new SourceConnector(new ConnectorSettings("127.0.0.1", engines.get(0).port(), "",
                "wallaby-bench-keyed-source", "bench-" + ProcessHandle.current().pid(), Frames.DEFAULT_MAX_FRAME_LENGTH)
                .withEngines(engines), REPLAY_CAPACITY, (stream, point) -> { });
        connector.connect();
        resumedAt = new long[streams.size()];
        for (int s = 0; s < streams.size(); s++) {
            resumedAt[s] = connector.openStream(streams.get(s));
        }
    }

    /** The point the engine answered each stream's NOTIFY with ({@link Frame#U64_MAX}: none). */
    long resumedAt(int stream) {
        return resumedAt[stream];
    }

    /** Writes every message of {@code load} on its stream (blocking on credits) and flushes. */
    void writeAll(KeyedLoad load) {
        long last = System.nanoTime();
        for (int i = 0; i < load.size(); i++) {
            connector.write(streams.get(load.streamOf[i]), load.id(i), load.payloads[i]);
            long now = System.nanoTime();
            if (now - last > longestGap) {
                longestGap = now - last;
                longestGapAt = now;
            }
            last = now;
        }
        connector.flush();
    }

    /** The longest time between two writes returning since the last {@link #resetGaps}, in nanoseconds. */
    long longestWriteGapNanos() {
        return longestGap;
    }

    /** When ({@code System.nanoTime()}) the longest gap ended. */
    long longestWriteGapEndedAt() {
        return longestGapAt;
    }

    void resetGaps() {
        longestGap = 0;
        longestGapAt = 0;
    }

    /** Waits until every stream has acknowledged the last id {@code load} put on it; returns System.nanoTime then. */
    long awaitAcknowledged(KeyedLoad load, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int s = 0; s < streams.size(); s++) {
            long last = load.lastIdOn(s);
            while (last >= 0) {
                long acked = connector.acknowledgedPoint(streams.get(s));
                if (acked != Frame.U64_MAX && acked >= last) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("stream " + streams.get(s) + ": the engine acknowledged "
                            + Long.toUnsignedString(acked) + " of " + last + " within " + timeout);
                }
                connector.flush();
                Thread.sleep(1);
            }
        }
        return System.nanoTime();
    }

    @Override
    public void close() {
        connector.close(Duration.ofSeconds(5));
    }

    /** Closes without waiting for acknowledgements, for when the engine is already gone. */
    void abandon() {
        connector.close(Duration.ofMillis(100));
    }
}
