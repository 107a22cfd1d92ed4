package io.wallaby.source.postgres;

import io.wallaby.connector.ConfigurationException;
import io.wallaby.connector.ConnectorOptions;
import io.wallaby.connector.ConnectorSettings;
import io.wallaby.connector.DurationOption;
import io.wallaby.connector.ShutdownSignal;
import io.wallaby.connector.SourceConnector;
import io.wallaby.connector.StreamPartitions;
import io.wallaby.connector.StreamTakenOverException;
import io.wallaby.connector.postgres.ConnectionString;
import io.wallaby.connector.postgres.PostgresConnections;
import io.wallaby.connector.postgres.SqlIdentifiers;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Frames;
import io.wallaby.protocol.StreamIds;
import io.wallaby.source.postgres.admin.FiguresAcrossTurns;
import io.wallaby.source.postgres.admin.SourceAdminOptions;
import io.wallaby.source.postgres.admin.SourceAdminServer;
import io.wallaby.source.postgres.admin.SourceFigures;
import io.wallaby.source.postgres.logical.LogicalCapture;
import io.wallaby.source.postgres.logical.LogicalSettings;
import io.wallaby.source.postgres.logical.Partition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Forwards the changes of PostgreSQL tables to the engine. Three ways ({@link CaptureMode}): logical
 * decoding ({@link LogicalCapture}), a capture table filled by a trigger ({@link ChangeTable},
 * {@link ChangeCapture}), or NOTIFY payloads ({@link NotifyCapture}); {@code auto} picks logical when the
 * server allows it.
 */
@Command(name = "postgres", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Forwards the changes of PostgreSQL tables as JSON messages.",
                "",
                "--capture logical: reads a logical replication slot (pgoutput) and sends every insert, update and "
                        + "delete of the --table(s) as a change envelope {\"op\":\"c|u|d|r|t\",\"table\":...,"
                        + "\"before\":...,\"after\":{row},\"source\":{...}}, exactly once: the slot is confirmed only "
                        + "past what the engine acknowledged, and message ids (recorded in wallaby.slot_offsets) survive "
                        + "restarts. Nothing is written per captured row. Needs wal_level=logical and a role with "
                        + "REPLICATION. --snapshot initial first sends the rows already there (op r).",
                "",
                "--capture table (lossless, inserts only): a trigger copies each inserted row into wallaby.changes in "
                        + "the writer's own transaction. The connector reads rows of finished transactions in (txid, seq) "
                        + "order, numbers them deterministically, and deletes them only after the engine acknowledges "
                        + "them. Costs the writers a second insert per row. Needs PostgreSQL 14 or later.",
                "",
                "--capture notify (at most once, inserts only): the row travels in the NOTIFY payload and nothing is "
                        + "kept; rows inserted while the connector is down are lost.",
                "",
                "--capture auto (default): logical when wal_level is logical and the role may replicate, else table, "
                        + "with a log line saying what to change.",
                "",
                "A change whose JSON is larger than a MESSAGE frame allows (--max-frame-length less "
                        + Frames.MESSAGE_HEADER_BYTES + " bytes) is kept in wallaby.dead_letters with the reason and "
                        + "sent as an empty message, so the stream goes on past it.",
                "",
                "--partitions N --partition-by COLUMN (logical and table capture): the changes go on the streams "
                        + "<stream>.0 .. <stream>.N-1, each on the one its COLUMN value hashes to (SHA-256 of the value's "
                        + "text, see StreamPartitions; NULL: .0), each stream with its own ids and acknowledgements. "
                        + "Logical: one slot per partition, wallaby_<stream>_<p> (or --slot with _<p>), each decoding the "
                        + "whole WAL; a DELETE is routed by its old row, so COLUMN must be in the replica identity "
                        + "(a key column, or REPLICA IDENTITY FULL). An UPDATE that changes COLUMN goes on the new "
                        + "value's stream only.",
                "",
                "A second instance for the same stream waits as a standby. SIGTERM: stop reading, wait for the last "
                        + "acknowledgements (--shutdown-timeout), send EOS, exit 0."})
public final class PostgresSourceCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(PostgresSourceCommand.class);


    enum Snapshot { initial, never }

    @Mixin
    ConnectorOptions.Source engine;

    @Mixin
    SourceAdminOptions admin;

    @Option(names = "--uninstall", description = "Remove what this source installed for the stream instead of "
            + "capturing: the slot and publication (logical), the capture triggers and the stream's rows (table, "
            + "notify), and the wallaby schema when nothing else uses it. Give the flags the source ran with.")
    boolean uninstall;

    @Option(names = "--connection", required = true, description = "PostgreSQL connection: 'host=... dbname=... user=... "
            + "password=...', postgresql://user:pass@host:port/db or jdbc:postgresql://host:port/db?user=...")
    String connection;

    @Option(names = "--table", split = ",", description = "The captured table(s) (table or schema.table); repeat the "
            + "flag or give a comma list. Several tables need --capture logical and a --stream name.")
    List<String> tables = new ArrayList<>(List.of("transactions"));

    @Option(names = "--capture", description = "How changes are captured: ${COMPLETION-CANDIDATES} (see above).")
    CaptureMode capture = CaptureMode.auto;

    @Option(names = "--stream", description = "Name of the source stream; defaults to the table name.")
    String stream;

    @Option(names = "--slot", description = "logical: the replication slot; defaults to wallaby_<stream>.")
    String slot;

    @Option(names = "--publication", description = "logical: the publication; defaults to wallaby_<stream>.")
    String publication;

    @Option(names = "--snapshot", description = "logical: when the slot is made, first send the rows already in the "
            + "tables (initial) or only later changes (never).")
    Snapshot snapshot = Snapshot.initial;

    @Option(names = "--status-interval", paramLabel = "DURATION", converter = DurationOption.class, defaultValue = "1s",
            description = "logical: the longest time between status updates to PostgreSQL (confirmed position, "
                    + "keeps the session inside wal_sender_timeout).")
    Duration statusInterval;

    @Option(names = "--heartbeat-interval", paramLabel = "DURATION", converter = DurationOption.class, defaultValue = "10s",
            description = "logical: while the captured tables are idle, how often to write a heartbeat into the WAL so "
                    + "the slot keeps up with the rest of the server; 0: never.")
    Duration heartbeatInterval;

    @Option(names = "--partitions", paramLabel = "N", description = "Split the changes over N streams "
            + "<stream>.0 .. <stream>.N-1 by --partition-by (logical and table capture); 1: the one stream <stream>.")
    int partitions = 1;

    @Option(names = "--partition-by", paramLabel = "COLUMN", description = "With --partitions above 1: the column "
            + "whose value picks a change's stream; every captured table must have it.")
    String partitionBy;

    @Option(names = "--channel", description = "table and notify capture: the notification channel; defaults to "
            + "wallaby_<table>.")
    String channel;

    @Option(names = "--create-table", description = "Create the table as transactions(" + CapturedTable.COLUMNS
            + ") when it is missing; an existing table is left as it is.")
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
    private String table;
    private String channelName;
    private String streamName;

    @Override
    public Integer call() throws Exception {
        configure();
        ConnectorSettings settings = engine.settings("wallaby-source-postgres"); // names the logs from here on
        if (ShutdownSignal.enabled()) {
            ShutdownSignal.onTerminate(this::stop, shutdownTimeout.plusSeconds(10));
        }
        Connection db = open();
        if (uninstall) {
            try (db) {
                String derived = derivedName(streamName);
                return new Uninstaller(db, System.out).uninstall(new Uninstaller.Installation(streamName,
                        slot != null ? slot : derived, publication != null ? publication : derived, tables, channel));
            }
        }
        CaptureMode mode = install(db, () -> capture.resolve(db, tables));
        if (mode == CaptureMode.logical) {
            return runLogical(db, settings);
        }
        if (tables.size() != 1) {
            db.close();
            throw new ConfigurationException(mode + " capture takes one --table, not " + tables.size()
                    + "; use --capture logical for several");
        }
        if (mode == CaptureMode.notify && partitions > 1) {
            db.close();
            throw new ConfigurationException("--partitions needs --capture logical or table: the notify capture keeps "
                    + "nothing, so it cannot give each partition stream ids that survive a restart");
        }
        if (mode == CaptureMode.notify) {
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
        if (partitions > 1) {
            install(db, () -> {
                PartitionColumn.check(db, List.of(source), partitionBy, false);
                return null;
            });
            db.close();
            String quotedTable = PartitionColumn.quoted(source);
            String quotedColumn = PartitionColumn.quote(partitionBy);
            return partitioned(settings).run(null, "capturing rows of " + source + " (lossless table capture)",
                    p -> new ChangeCapture(database, source, channelName, StreamPartitions.streamName(streamName, p),
                            pollInterval, batchSize, Frames.maxPayloadLength(settings.maxFrameLength()), statsInterval,
                            PartitionSql.condition(quotedTable, quotedColumn, p, partitions)));
        }
        db.close();
        Supplier<ChangeCapture> captures = () -> new ChangeCapture(database, source, channelName, streamName,
                pollInterval, batchSize, Frames.maxPayloadLength(settings.maxFrameLength()), statsInterval, "");
        AtomicReference<ChangeCapture> capture = new AtomicReference<>(captures.get());
        FiguresAcrossTurns figures = new FiguresAcrossTurns(capture.get().figures());
        try (SourceConnector connector = new SourceConnector(settings, SourceConnector.DEFAULT_REPLAY_CAPACITY,
                (stream, point) -> capture.get().onAcknowledged(stream, point));
             AutoCloseable port = admin.enabled() ? SourceAdminServer.start(admin.host(), admin.port(), streamName,
                     null, figures) : null) {
            return captureInTurns(connector, enginePoint -> capture.get().run(connector, enginePoint, () -> stopping,
                    shutdownTimeout), () -> {
                capture.set(captures.get());
                figures.next(capture.get().figures());
            });
        }
    }

    /** One capture from the point the engine gave, until stopped. */
    private interface Turn {
        void capture(long enginePoint) throws Exception;
    }

    /**
     * Opens the stream (waiting as a standby while another instance has it) and captures. When another instance
     * takes the stream over while this one is away from the engine, the capture ends (letting go of its slot,
     * if any), {@code startOver} makes a fresh one, and this instance waits as a standby again, to read on from
     * what is recorded.
     */
    private int captureInTurns(SourceConnector connector, Turn turn, Runnable startOver) throws Exception {
        connector.connect();
        while (true) {
            long enginePoint = connector.openStream(streamName);
            try {
                turn.capture(enginePoint);
                return 0;
            } catch (StreamTakenOverException e) {
                log.warn("{}; the capture stopped and starts over from what is recorded once the engine gives the "
                        + "stream back", e.getMessage());
                if (stopping) {
                    return 0;
                }
                startOver.run();
            }
        }
    }

    private int runLogical(Connection db, ConnectorSettings settings) throws Exception {
        List<String> qualified = new ArrayList<>();
        LogicalCapture logical;
        try {
            for (String name : tables) {
                qualified.add(install(db, () -> CapturedTable.qualifiedName(db, name, createTable)));
            }
            String derived = derivedName(streamName);
            if (partitions > 1) {
                install(db, () -> {
                    PartitionColumn.check(db, qualified, partitionBy, true);
                    return null;
                });
                return partitioned(settings).runLogical(db, qualified, slot, publication != null ? publication : derived,
                        snapshot == Snapshot.initial, statusInterval, heartbeatInterval);
            }
            LogicalSettings logicalSettings = new LogicalSettings(streamName, qualified,
                    slot != null ? slot : derived, publication != null ? publication : derived,
                    snapshot == Snapshot.initial, statusInterval, heartbeatInterval,
                    Frames.maxPayloadLength(settings.maxFrameLength()), null);
            logical = new LogicalCapture(database, logicalSettings);
            install(db, () -> {
                logical.install(db);
                return null;
            });
        } finally {
            db.close();
        }
        AtomicReference<LogicalCapture> capture = new AtomicReference<>(logical);
        FiguresAcrossTurns figures = new FiguresAcrossTurns(figures(logical));
        try (SourceConnector connector = new SourceConnector(settings, SourceConnector.DEFAULT_REPLAY_CAPACITY,
                (stream, point) -> capture.get().onAcknowledged(stream, point));
             AutoCloseable port = admin.enabled() ? SourceAdminServer.start(admin.host(), admin.port(), streamName,
                     logical.slot(), database, figures) : null) {
            return captureInTurns(connector, enginePoint -> capture.get().run(connector, enginePoint, () -> stopping,
                    shutdownTimeout), () -> {
                capture.set(logical.anew());
                figures.next(figures(capture.get()));
            });
        }
    }

    private PartitionedSource partitioned(ConnectorSettings settings) {
        return new PartitionedSource(database, settings, admin, streamName, partitions, partitionBy, () -> stopping,
                shutdownTimeout);
    }

    static SourceFigures figures(LogicalCapture capturing) {
        return new SourceFigures() {
            @Override
            public long messagesSent() {
                return capturing.messagesSent();
            }

            @Override
            public long messagesAcknowledged() {
                return capturing.messagesAcknowledged();
            }

            @Override
            public double lagSeconds() {
                return capturing.lagSeconds();
            }

            @Override
            public Health health() {
                String reason = capturing.unhealthy();
                return reason == null ? Health.OK : Health.down(reason);
            }
        };
    }

    /**
     * The default slot and publication name of a stream: {@code wallaby_<stream>} in the characters a slot name
     * allows; when the stream's name had to change to fit, a hash of it keeps two streams from sharing a slot.
     */
    static String derivedName(String stream) {
        String plain = stream.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (plain.equals(stream) && plain.length() <= 55) {
            return "wallaby_" + plain;
        }
        String hash = String.format("%016x", StreamIds.of(stream)).substring(0, 8);
        return "wallaby_" + plain.substring(0, Math.min(plain.length(), 45)) + "_" + hash;
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
            throw new IllegalStateException("installing the " + capture + " capture on " + String.join(", ", tables) + " failed: "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    private void configure() {
        if (pollInterval.toMillis() < 1 || batchSize < 1 || shutdownTimeout.isNegative() || statsInterval.isNegative()
                || statusInterval.toMillis() < 10 || heartbeatInterval.isNegative()) {
            throw new ConfigurationException("--poll-interval must be at least 1ms, --batch-size at least 1, "
                    + "--status-interval at least 10ms, and --shutdown-timeout, --stats-interval and "
                    + "--heartbeat-interval not negative");
        }
        if (tables.isEmpty()) {
            throw new ConfigurationException("--table: name at least one table");
        }
        if (partitions < 1) {
            throw new ConfigurationException("--partitions must be at least 1, was " + partitions);
        }
        if (partitions > 1 && (partitionBy == null || partitionBy.isBlank())) {
            throw new ConfigurationException("--partitions " + partitions + " needs --partition-by COLUMN: the column "
                    + "whose value picks each change's stream");
        }
        if (partitions == 1 && partitionBy != null) {
            throw new ConfigurationException("--partition-by " + partitionBy + " needs --partitions N with N above 1; "
                    + "without it everything goes on the one stream");
        }
        if (partitions > 1 && uninstall) {
            throw new ConfigurationException("--uninstall of a partitioned source is not supported yet: run it once "
                    + "per partition with --stream <stream>.<p> --slot <the partition's slot>, without --partitions");
        }
        if (tables.size() > 1 && stream == null) {
            throw new ConfigurationException("several tables (" + String.join(", ", tables) + ") go on one stream: "
                    + "name it with --stream");
        }
        table = tables.get(0);
        streamName = stream != null ? stream : table;
        try {
            database = ConnectionString.parse(connection);
            for (String name : tables) {
                SqlIdentifiers.parts(name, "--table");
            }
            channelName = channel != null ? channel : "wallaby_" + table.replace('.', '_');
            SqlIdentifiers.single(channelName, "--channel");
            if (slot != null) {
                SqlIdentifiers.slot(slot, "--slot");
            }
            if (publication != null) {
                SqlIdentifiers.single(publication, "--publication");
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage(), e);
        }
    }

    private Connection open() {
        try {
            return PostgresConnections.open(database);
        } catch (SQLException e) {
            throw PostgresConnections.failure("connect to", database, e, "that the user and password are right");
        }
    }
}
