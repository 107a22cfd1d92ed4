package io.wallaby.bench;

import io.wallaby.connector.ConnectorException;
import io.wallaby.connector.ConnectorSettings;
import io.wallaby.connector.EngineAddress;
import io.wallaby.connector.SinkConnector;
import io.wallaby.connector.SinkMessage;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Frames;

import java.time.Duration;
import java.util.List;

/**
 * A sink connector inside the benchmark's process that counts what it reads, commits it at once and
 * discards it: the cheapest possible sink, so the engine, not the sink, sets the pace.
 */
final class CountingSink implements AutoCloseable {

    private final SinkConnector connector;
    private final Thread reader;
    private volatile long count;
    private volatile boolean stopping;

    CountingSink(int enginePort) {
        this(List.of(new EngineAddress("127.0.0.1", enginePort)));
    }

    /** Draining every engine of {@code engines}, as one sink connector drains a cluster. */
    CountingSink(List<EngineAddress> engines) {
        connector = new SinkConnector(new ConnectorSettings("127.0.0.1", engines.get(0).port(), "",
                "wallaby-bench-sink", "bench-" + ProcessHandle.current().pid(), Frames.DEFAULT_MAX_FRAME_LENGTH)
                .withEngines(engines));
        connector.connect(stream -> Frame.U64_MAX); // nothing stored: start at the beginning
        reader = new Thread(this::readLoop, "bench-counting-sink");
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop() {
        try {
            while (!stopping) {
                List<SinkMessage> batch = connector.readBatch(10_000, Duration.ofMillis(5));
                if (!batch.isEmpty()) {
                    connector.commitMessages(batch);
                    count += batch.size();
                }
            }
        } catch (ConnectorException e) {
            if (!stopping) {
                throw e;
            }
        }
    }

    long count() {
        return count;
    }

    /** Waits until {@code expected} messages were read; returns System.nanoTime then. */
    long awaitCount(long expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1;
        long movedAt = System.nanoTime();
        while (count < expected) {
            long now = System.nanoTime();
            if (count != last) {
                last = count;
                movedAt = now;
            }
            // Still for as long as BenchDatabase allows: stuck, not slow.
            if (now > deadline || now - movedAt > BenchDatabase.STALL_MILLIS * 1_000_000L || !reader.isAlive()) {
                throw new IllegalStateException("the sink got " + count + " of " + expected + " messages"
                        + (reader.isAlive() ? "; none for " + BenchDatabase.STALL_MILLIS / 1000 + " s or past "
                        + timeout : "; its reader stopped"));
            }
            Thread.sleep(1);
        }
        return System.nanoTime();
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        reader.join(2000);
        connector.close();
    }
}
