package io.wallaby.source.generator;

import io.wallaby.connector.ConfigurationException;
import io.wallaby.connector.ConnectorCommandLine;
import io.wallaby.connector.ConnectorOptions;
import io.wallaby.connector.SourceConnector;
import io.wallaby.protocol.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** Sends the alerts_stateless transactions; the message id is the transaction id. */
@Command(name = "generator", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Sends the alerts_stateless transactions {\"id\":N,\"amount\":A} (message id = transaction id).")
public final class GeneratorCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(GeneratorCommand.class);

    @Mixin
    ConnectorOptions.Source engine;

    @Option(names = "--count", description = "How many transactions the sequence has (ids start-id .. start-id+count-1); "
            + "unlimited when absent. A restart continues the same sequence.")
    Long count;

    @Option(names = "--rate", description = "Messages per second; unlimited when absent.")
    Double rate;

    @Option(names = "--stream", description = "Name of the source stream.")
    String stream = "generator";

    @Option(names = "--start-id", description = "Id of the first transaction when the engine has acknowledged nothing.")
    long startId = 0;

    @Option(names = "--ack-timeout", description = "Seconds to wait at the end for the engine to acknowledge everything.")
    long ackTimeoutSeconds = 60;

    @Override
    public Integer call() {
        if (count != null && count < 0) {
            throw new ConfigurationException("--count must not be negative, was " + count);
        }
        if (rate != null && !(rate > 0)) {
            throw new ConfigurationException("--rate must be above 0 messages per second, was " + rate);
        }
        if (startId < 0) {
            throw new ConfigurationException("--start-id must not be negative, was " + startId);
        }
        try (SourceConnector connector = new SourceConnector(engine.settings("wallaby-source-generator"))) {
            connector.connect();
            long acknowledged = connector.openStream(stream);
            long first = acknowledged == Frame.U64_MAX ? startId : Math.max(startId, acknowledged + 1);
            AlertsStatelessGenerator generator = AlertsStatelessGenerator.startingAt(first);
            long end = count == null ? Long.MAX_VALUE : startId + count;
            log.info("ready: generating transactions {}..{} on stream '{}'", first,
                    count == null ? "unlimited" : Long.toString(end - 1), stream);
            long started = System.nanoTime();
            long sent = 0;
            while (generator.nextId() < end) {
                AlertsStatelessGenerator.Transaction t = generator.next();
                connector.write(stream, t.id(), t.toJson().getBytes(StandardCharsets.UTF_8));
                sent++;
                if (rate != null) {
                    pace(started, sent);
                }
            }
            connector.flush();
            log.info("sent {} transactions; waiting for the engine to acknowledge them", sent);
            if (!connector.closeStream(stream, Duration.ofSeconds(ackTimeoutSeconds))) {
                log.error("the engine did not acknowledge everything within {} s", ackTimeoutSeconds);
                return ConnectorCommandLine.RUNTIME_FAILURE;
            }
            return ConnectorCommandLine.OK;
        }
    }

    private void pace(long startedNanos, long sent) {
        long dueNanos = startedNanos + (long) (sent * 1e9 / rate);
        long aheadNanos = dueNanos - System.nanoTime();
        if (aheadNanos > TimeUnit.MILLISECONDS.toNanos(1)) {
            try {
                TimeUnit.NANOSECONDS.sleep(aheadNanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}
