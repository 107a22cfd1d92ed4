package io.wallaby.bench;

import io.wallaby.connector.ConnectorSettings;
import io.wallaby.connector.SourceConnector;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Frames;

import java.time.Duration;

/**
 * A source connector inside the benchmark's process, built on the connector SDK, that writes pre-encoded
 * payloads on one stream ({@code transactions} unless told) as fast as the engine's credits allow. Encoding
 * happens before the clock starts, so what is measured is the protocol and the engine, not JSON building.
 */
final class SyntheticSource implements AutoCloseable {

    static final String STREAM = "transactions";

    private final SourceConnector connector;
    private final String stream;
    private long nextId = 1;

    SyntheticSource(int enginePort) {
        this(enginePort, STREAM);
    }

    SyntheticSource(int enginePort, String stream) {
        this.stream = stream;
        connector = new SourceConnector(new ConnectorSettings("127.0.0.1", enginePort, "", "wallaby-bench-source",
                "bench-" + ProcessHandle.current().pid(), Frames.DEFAULT_MAX_FRAME_LENGTH));
        connector.connect();
        long acknowledged = connector.openStream(stream);
        if (acknowledged != Frame.U64_MAX) {
            nextId = acknowledged + 1;
        }
    }

    /** Writes every payload (blocking on credits) and flushes. */
    void writeAll(byte[][] payloads) {
        for (byte[] payload : payloads) {
            connector.write(stream, nextId++, payload);
        }
        connector.flush();
    }

    /** The id of the last message written. */
    long lastId() {
        return nextId - 1;
    }

    /** Waits until the engine has acknowledged everything written; returns System.nanoTime then. */
    long awaitAcknowledged(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = lastId();
        while (true) {
            long acked = connector.acknowledgedPoint(stream);
            if (acked != Frame.U64_MAX && acked >= last) {
                return System.nanoTime();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the engine acknowledged " + Long.toUnsignedString(acked) + " of "
                        + last + " messages within " + timeout);
            }
            connector.flush();
            Thread.sleep(1);
        }
    }

    long acknowledged() {
        long acked = connector.acknowledgedPoint(stream);
        return acked == Frame.U64_MAX ? 0 : acked;
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
