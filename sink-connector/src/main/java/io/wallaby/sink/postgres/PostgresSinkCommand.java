package io.wallaby.sink.postgres;

import io.wallaby.connector.ConfigurationException;
import io.wallaby.connector.ConnectorOptions;
import io.wallaby.sink.cluster.ClusterOptions;
import io.wallaby.connector.ConnectorSettings;
import io.wallaby.connector.DurationOption;
import io.wallaby.connector.RetriableException;
import io.wallaby.connector.ShutdownSignal;
import io.wallaby.connector.SinkMessage;
import io.wallaby.connector.SinkRunner;
import io.wallaby.connector.SinkTask;
import io.wallaby.connector.postgres.ConnectionString;
import io.wallaby.connector.postgres.PostgresConnections;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Writes each message's payload as one alert_log row. A batch and the offsets that cover it commit in one
 * transaction, and the engine is acknowledged only after that, so no row is lost or doubled. Rows that can
 * never be written go to wallaby_dead_letters in that same transaction ({@link AlertLogWriter}). The loop,
 * retries and stop are the SDK's {@link SinkRunner}; {@link AlertLogTask} is the {@link SinkTask} it runs.
 */
@Command(name = "postgres", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Writes each message (UTF-8 text) as a row of alert_log(id, alert_log, created_at), exactly once.",
                "",
                "Each batch commits in one transaction together with the last message id per stream in "
                        + "wallaby_sink_offsets (beside the table); the engine is acknowledged after the commit, and "
                        + "a restarted sink skips everything at or below its committed point.",
                "A message that can never be written (not valid UTF-8, a NUL byte, or any SQLSTATE class 22/23 "
                        + "error on that row) goes to wallaby_dead_letters(stream_name, message_id, payload, reason) "
                        + "in the same transaction and the stream goes on. Other errors (lost connection, 08xxx, "
                        + "40001, 57P01, ...) are retried with backoff (100 ms doubling to 5 s), forever.",
                "SIGTERM: finish and commit the batch in hand, acknowledge it, exit 0."})
public final class PostgresSinkCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(PostgresSinkCommand.class);

    @Mixin
    ConnectorOptions.Sink engine;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--connection", required = true, description = "PostgreSQL connection: 'host=... dbname=... user=... "
            + "password=...', postgresql://user:pass@host:port/db or jdbc:postgresql://host:port/db?user=...")
    String connection;

    @Option(names = "--table", description = "The table the alerts go to (table or schema.table); created when missing.")
    String table = "alert_log";

    @Option(names = "--batch-size", description = "Most messages written in one transaction (one COPY). A batch "
            + "is cut short when --batch-wait-ms passes, so a large one only forms while messages are waiting.")
    int batchSize = 2000;

    @Option(names = "--batch-wait-ms", description = "Longest wait, in milliseconds, to fill a batch.")
    long batchWaitMillis = 20;

    @Option(names = "--stats-interval", paramLabel = "DURATION", converter = DurationOption.class, defaultValue = "30s",
            description = "How often to log commit batch sizes and commit latency (mean, max); 0: never.")
    Duration statsInterval;

    /** Runs the loop; a field, so that a stop that comes before {@link #call()} gets that far is not lost. */
    private final SinkRunner runner = new SinkRunner();

    @Override
    public Integer call() throws Exception {
        ConnectionString database;
        AlertLogWriter writer;
        try {
            database = ConnectionString.parse(connection);
            writer = new AlertLogWriter(database, table);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage(), e);
        }
        if (batchSize < 1 || batchWaitMillis < 0 || statsInterval.isNegative()) {
            throw new ConfigurationException("--batch-size must be at least 1, --batch-wait-ms and --stats-interval "
                    + "not negative");
        }
        ConnectorSettings settings = engine.settings("wallaby-sink-postgres"); // names the logs from here on
        cluster.configure(runner, settings);
        CommitFigures figures = new CommitFigures(statsInterval);
        if (ShutdownSignal.enabled()) {
            ShutdownSignal.onTerminate(this::stop, Duration.ofSeconds(30));
        }
        try {
            writer.open();
        } catch (SQLException e) {
            throw PostgresConnections.failure("use", database, e, "that the user may create and write " + table);
        }
        try (writer) {
            runner.run(settings, new AlertLogTask(writer, figures), batchSize, Duration.ofMillis(batchWaitMillis));
        }
        return 0;
    }

    /** Makes {@link #call()} return after the batch in hand. */
    void stop() {
        runner.stop();
    }

    /**
     * The durable store under the runner: a batch and its offsets in one transaction ({@link AlertLogWriter}),
     * after reconnecting when the connection is gone. Every SQLException is retriable: the writer has already
     * set aside, as dead letters, the rows that no retry could write.
     */
    private final class AlertLogTask implements SinkTask {

        private final AlertLogWriter writer;
        private final CommitFigures figures;
        /** The last attempt failed: the next one checks the connection with a round trip first. */
        private boolean failed;
        /** System.nanoTime of the first attempt at the batch in hand, or -1: its figures count the retries too. */
        private long batchStarted = -1;

        AlertLogTask(AlertLogWriter writer, CommitFigures figures) {
            this.writer = writer;
            this.figures = figures;
        }

        @Override
        public void connected() {
            log.info("ready: writing alerts into {}", table);
        }

        @Override
        public void betweenBatches() {
            figures.logIfDue();
        }

        @Override
        public long committedPoint(String stream) throws RetriableException {
            return sql(() -> writer.committedPoint(stream));
        }

        @Override
        public void store(List<SinkMessage> batch) throws RetriableException {
            if (batchStarted < 0) {
                batchStarted = System.nanoTime(); // after a RetriableException the same batch comes again
            }
            int inserted = sql(() -> writer.write(batch));
            figures.committed(batch.size(), System.nanoTime() - batchStarted);
            batchStarted = -1;
            log.debug("inserted {} of {} messages", inserted, batch.size());
        }

        private <T> T sql(SqlWork<T> work) throws RetriableException {
            try {
                // Checked only after a failure: isValid is a round trip, which every batch paid before.
                if (failed ? !writer.isOpen() : !writer.isConnected()) {
                    log.warn("the PostgreSQL connection is gone; reconnecting to {}", table);
                    writer.open();
                }
                T result = work.run();
                failed = false;
                return result;
            } catch (SQLException e) {
                failed = true;
                throw new RetriableException(e);
            }
        }
    }

    private interface SqlWork<T> {
        T run() throws SQLException;
    }
}
