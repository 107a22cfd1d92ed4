package io.wallaby.sink;

import io.wallaby.connector.SinkConnector;
import io.wallaby.connector.SinkMessage;
import io.wallaby.protocol.Frame;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The loop shared by the sinks that write one line per payload and keep no committed points (they answer
 * every NOTIFY with "nothing committed", so after a restart the engine redelivers what it still holds).
 */
final class LineSink {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LineSink.class);

    /** Where the lines go. */
    interface Output {
        void writeLine(byte[] payload) throws IOException;

        /** Makes the lines written so far durable (or at least visible); then the batch is acknowledged. */
        void flush() throws IOException;
    }

    private LineSink() {
    }

    /** Runs until {@code stopping} answers true (checked between batches). */
    static void run(SinkConnector connector, Output output, java.util.function.BooleanSupplier stopping)
            throws IOException {
        connector.connect(stream -> Frame.U64_MAX);
        log.info("ready: writing one line per message");
        while (!stopping.getAsBoolean()) {
            List<SinkMessage> batch = connector.readBatch(500, Duration.ofMillis(20));
            if (batch.isEmpty()) {
                continue;
            }
            for (SinkMessage m : batch) {
                output.writeLine(m.payload());
            }
            output.flush();
            connector.commitMessages(batch);
        }
    }
}
