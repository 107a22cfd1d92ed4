package io.wallaby.source;

import io.wallaby.connector.ConfigurationException;
import io.wallaby.connector.ConnectorOptions;
import io.wallaby.connector.ConnectorSettings;
import io.wallaby.connector.DurationOption;
import io.wallaby.connector.ShutdownSignal;
import io.wallaby.connector.SourceConnector;
import io.wallaby.connector.postgres.ConnectionString;
import io.wallaby.connector.postgres.SqlIdentifiers;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Frames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Forwards every row inserted into a PostgreSQL table as JSON. By default losslessly, through a capture
 * table ({@link ChangeTable}, {@link ChangeCapture}); with {@code --capture notify} the row rides in the
 * NOTIFY payload and is lost when the connector is not listening ({@link NotifyCapture}).
 */
@Command(name = "postgres", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Forwards each row inserted into a PostgreSQL table as a JSON message.",
                "",
                "--capture table (default, lossless): a trigger copies each inserted row into wallaby.changes in the "
                        + "writer's own transaction and sends an empty NOTIFY as a wake-up. The connector reads rows of "
                        + "finished transactions in (txid, seq) order, numbers them deterministically, and deletes them "
                        + "(recording its cursor in wallaby.source_offsets) only after the engine acknowledges them. "
                        + "Rows inserted while it is down are sent when it starts; after a crash unacknowledged rows "
                        + "are sent again with the same ids. A long-running transaction delays delivery of rows "
                        + "committed after it began until it ends. Needs PostgreSQL 14 or later.",
                "",
                "--capture notify (at most once): the row travels in the NOTIFY payload and nothing is kept; rows "
                        + "inserted while the connector is down or reconnecting to PostgreSQL are lost.",
                "",
                "A row whose JSON is larger than a MESSAGE frame allows (--max-frame-length less "
                        + Frames.MESSAGE_HEADER_BYTES + " bytes) is kept in wallaby.dead_letters with the reason and "
                        + "sent as an empty message, so the stream goes on past it.",
                "",
                "A second instance for the same stream waits as a standby. SIGTERM: stop reading, wait for the last "
                        + "acknowledgements (--shutdown-timeout), send EOS, exit 0."})
final class PostgresSourceCommand implements Callable<Integer> {

    enum Capture { table, notify }

    @Mixin
    ConnectorOptions.Source engine;

    @Option(names = "--connection", required = true, description = "PostgreSQL connection: 'host=... dbname=... user=... "
            + "password=...', postgresql://user:pass@host:port/db or jdbc:postgresql://host:port/db?user=...")
    String connection;

    @Option(names = "--table", description = "The table whose inserted rows are forwarded (table or schema.table).")
    String table = "transactions";

    @Option(names = "--capture", description = "How rows are captured: ${COMPLETION-CANDIDATES}. table is lossless "
            + "(at least once from PostgreSQL, duplicates dropped by id); notify is at most once.")
    Capture capture = Capture.table;

    @Option(names = "--channel", description = "The notification channel; defaults to wallaby_<table>.")
    String channel;

    @Option(names = "--stream", description = "Name of the source stream; defaults to the table name.")
    String stream;

    @Option(names = "--create-table", description = "Create the table as transactions(id bigserial primary key, "
            + "amount numeric(14,2) not null, created_at timestamptz not null default now()) when it is missing.")
    boolean createTable;

    @Option(names = "--poll-interval", paramLabel = "DURATION", converter = DurationOption.class, defaultValue = "500ms",
            description = "table capture: longest wait between reads when no NOTIFY wake-up arrives (a missed "
                    + "wake-up delays rows at most this long).")
    Duration pollInterval;

    @Option(names = "--batch-size", description = "table capture: most rows read from wallaby.changes at once "
            + "(large, so a backlog drains in few round trips).")
    int batchSize = 5000;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", converter = DurationOption.class, defaultValue = "10s",
            description = "On SIGTERM, how long to wait for the engine to acknowledge what was sent before sending EOS.")
    Duration shutdownTimeout;

    @Option(names = "--stats-interval", paramLabel = "DURATION", converter = DurationOption.class, defaultValue = "30s",
            description = "table capture: how often to log the capture lag (changes not acknowledged, oldest one's "
                    + "age) and the messages sent and acknowledged; 0: never.")
    Duration statsInterval;

    private volatile boolean stopping;
    private ConnectionString database;
    private String channelName;

    @Override
    public Integer call() throws Exception {
        configure();
        ConnectorSettings settings = engine.settings("wallaby-source-postgres"); // names the logs from here on
        String streamName = stream != null ? stream : table;
        if (SourceMain.handlesSignals()) {
            ShutdownSignal.onTerminate(this::stop, shutdownTimeout.plusSeconds(10));
        }
        Connection db = open();
        if (capture == Capture.notify) {
            NotifyTrigger trigger = new NotifyTrigger(table, channelName);
            install(db, () -> {
                trigger.install(db, createTable);
                return null;
            });
            try (SourceConnector connector = new SourceConnector(settings)) {
                connector.connect();
                long acknowledged = connector.openStream(streamName);
                // Listen only once the stream is ours: a standby must not queue up rows the active instance sends.
                new NotifyCapture(database, trigger, table, channelName, streamName,
                        acknowledged == Frame.U64_MAX ? 1 : acknowledged + 1).run(db, connector, () -> stopping);
                connector.close(shutdownTimeout);
            }
            return 0;
        }
        ChangeTable changes = new ChangeTable(table, channelName);
        String source = install(db, () -> changes.install(db, createTable));
        db.close();
        ChangeCapture capture = new ChangeCapture(database, source, channelName, streamName,
                pollInterval, batchSize, Frames.maxPayloadLength(settings.maxFrameLength()), statsInterval);
        try (SourceConnector connector = new SourceConnector(settings,
                SourceConnector.DEFAULT_REPLAY_CAPACITY, capture::onAcknowledged)) {
            connector.connect();
            long enginePoint = connector.openStream(streamName);
            capture.run(connector, enginePoint, () -> stopping, shutdownTimeout);
        }
        return 0;
    }

    /** Makes {@link #call()} return: it finishes in-flight work and closes the stream. */
    void stop() {
        stopping = true;
    }

    private interface Installer<T> {
        T install() throws SQLException;
    }

    private <T> T install(Connection db, Installer<T> installer) throws SQLException {
        try {
            return installer.install();
        } catch (SQLException e) {
            db.close();
            throw new IllegalStateException("installing the " + capture + " capture on " + table + " failed: "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    private void configure() {
        if (pollInterval.toMillis() < 1 || batchSize < 1 || shutdownTimeout.isNegative() || statsInterval.isNegative()) {
            throw new ConfigurationException("--poll-interval must be at least 1ms, --batch-size at least 1, and "
                    + "--shutdown-timeout and --stats-interval not negative");
        }
        try {
            database = ConnectionString.parse(connection);
            SqlIdentifiers.parts(table, "--table");
            channelName = channel != null ? channel : "wallaby_" + table.replace('.', '_');
            SqlIdentifiers.single(channelName, "--channel");
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage(), e);
        }
    }

    private Connection open() {
        try {
            return DriverManager.getConnection(database.jdbcUrl(), database.properties());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to PostgreSQL at " + database.jdbcUrl()
                    + (database.user() == null ? "" : " as " + database.user()) + ": " + e.getMessage()
                    + "; check --connection, that the server runs and that the user and password are right", e);
        }
    }
}
