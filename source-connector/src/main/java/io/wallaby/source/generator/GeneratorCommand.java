package io.wallaby.source.generator;

import io.wallaby.connector.ConfigurationException;
import io.wallaby.connector.ConnectorCommandLine;
import io.wallaby.connector.ConnectorOptions;
import io.wallaby.connector.DurationOption;
import io.wallaby.connector.SourceConnector;
import io.wallaby.connector.StreamPartitions;
import io.wallaby.protocol.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Sends the alerts_stateless transactions; the message id is the transaction id. With {@code --accounts} each
 * carries an account and a creation time ({@link GeneratedDetails}); with {@code --partitions} they are spread
 * over the streams {@code <stream>.0 ..} by account ({@link StreamPartitions}), the id still the transaction
 * id, so ids increase on every stream and a restart regenerates exactly what each stream has not acknowledged.
 */
@Command(name = "generator", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Sends the alerts_stateless transactions {\"id\":N,\"amount\":A} (message id = transaction id).",
                "With --accounts: {\"id\":N,\"amount\":A,\"account\":a,\"created_at\":\"2026-01-01T00:00:00.001Z\"}, "
                        + "account and time a fixed function of the id. With --partitions N: on the streams "
                        + "<stream>.0 .. <stream>.N-1, each transaction on the one its account hashes to."})
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

    @Option(names = "--accounts", paramLabel = "N", description = "Give every transaction an \"account\" in 1..N (a "
            + "fixed mix of its id) and a \"created_at\"; absent: the payload has neither.")
    Long accounts;

    @Option(names = "--created-at-start", paramLabel = "INSTANT", description = "With --accounts: the created_at of "
            + "transaction 0 (ISO-8601).")
    String createdAtStart = "2026-01-01T00:00:00Z";

    @Option(names = "--created-at-step", paramLabel = "DURATION", converter = DurationOption.class, defaultValue = "1ms",
            description = "With --accounts: how much later each next transaction's created_at is.")
    Duration createdAtStep;

    @Option(names = "--partitions", paramLabel = "N", description = "Spread the transactions over N streams "
            + "<stream>.0 .. <stream>.N-1 by account (needs --accounts); 1: the one stream <stream>.")
    int partitions = 1;

    @Option(names = "--ack-timeout", description = "Seconds to wait at the end for the engine to acknowledge everything.")
    long ackTimeoutSeconds = 60;

    @Override
    public Integer call() {
        GeneratedDetails details = configure();
        List<String> streams = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            streams.add(partitions == 1 ? stream : StreamPartitions.streamName(stream, p));
        }
        try (SourceConnector connector = new SourceConnector(engine.settings("wallaby-source-generator"))) {
            connector.connect();
            // Each stream resumes after its own point; the sequence restarts at the earliest of them, and a
            // transaction goes out only on a stream that has not acknowledged it.
            long[] acknowledged = new long[partitions];
            long first = Long.MAX_VALUE;
            for (int p = 0; p < partitions; p++) {
                long point = connector.openStream(streams.get(p));
                acknowledged[p] = point == Frame.U64_MAX ? -1 : point;
                first = Math.min(first, Math.max(startId, acknowledged[p] + 1));
            }
            AlertsStatelessGenerator generator = AlertsStatelessGenerator.startingAt(first);
            long end = count == null ? Long.MAX_VALUE : startId + count;
            log.info("ready: generating transactions {}..{} on stream{} '{}'", first,
                    count == null ? "unlimited" : Long.toString(end - 1), partitions == 1 ? "" : "s",
                    String.join("', '", streams));
            long started = System.nanoTime();
            long sent = 0;
            while (generator.nextId() < end) {
                AlertsStatelessGenerator.Transaction t = generator.next();
                int p = partitions == 1 ? 0 : StreamPartitions.of(Long.toString(details.account(t.id())), partitions);
                if (t.id() <= acknowledged[p]) {
                    continue;
                }
                String json = details == null ? t.toJson() : details.toJson(t);
                connector.write(streams.get(p), t.id(), json.getBytes(StandardCharsets.UTF_8));
                sent++;
                if (rate != null) {
                    pace(started, sent);
                }
            }
            connector.flush();
            log.info("sent {} transactions; waiting for the engine to acknowledge them", sent);
            boolean complete = true;
            for (String name : streams) {
                complete &= connector.closeStream(name, Duration.ofSeconds(ackTimeoutSeconds));
            }
            if (!complete) {
                log.error("the engine did not acknowledge everything within {} s", ackTimeoutSeconds);
                return ConnectorCommandLine.RUNTIME_FAILURE;
            }
            return ConnectorCommandLine.OK;
        }
    }

    /** Checks the flags; returns what --accounts adds to each transaction, or null without it. */
    private GeneratedDetails configure() {
        if (count != null && count < 0) {
            throw new ConfigurationException("--count must not be negative, was " + count);
        }
        if (rate != null && !(rate > 0)) {
            throw new ConfigurationException("--rate must be above 0 messages per second, was " + rate);
        }
        if (startId < 0) {
            throw new ConfigurationException("--start-id must not be negative, was " + startId);
        }
        if (partitions < 1) {
            throw new ConfigurationException("--partitions must be at least 1, was " + partitions);
        }
        if (accounts == null) {
            if (partitions > 1) {
                throw new ConfigurationException("--partitions " + partitions + " spreads the transactions by account: "
                        + "give --accounts N as well");
            }
            return null;
        }
        if (accounts < 1) {
            throw new ConfigurationException("--accounts must be at least 1, was " + accounts);
        }
        if (createdAtStep.isNegative()) {
            throw new ConfigurationException("--created-at-step must not be negative, was " + createdAtStep);
        }
        try {
            return new GeneratedDetails(accounts, Instant.parse(createdAtStart), createdAtStep);
        } catch (DateTimeParseException e) {
            throw new ConfigurationException("--created-at-start must be an ISO-8601 instant such as "
                    + "2026-01-01T00:00:00Z, was " + createdAtStart);
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
