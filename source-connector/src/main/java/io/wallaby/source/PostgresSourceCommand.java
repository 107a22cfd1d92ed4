package io.wallaby.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wallaby.connector.Backoff;
import io.wallaby.connector.ConfigurationException;
import io.wallaby.connector.ConnectorOptions;
import io.wallaby.connector.SourceConnector;
import io.wallaby.connector.postgres.ConnectionString;
import io.wallaby.connector.postgres.SqlIdentifiers;
import io.wallaby.protocol.Frame;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Forwards every row inserted into a PostgreSQL table, as JSON, through a trigger and LISTEN/NOTIFY.
 * Message ids are this connector's own sequence in send order, resumed after the engine's point.
 */
@Command(name = "postgres", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Forwards each row inserted into a PostgreSQL table as a JSON message (trigger + LISTEN/NOTIFY).")
final class PostgresSourceCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(PostgresSourceCommand.class);
    private static final int POLL_MILLIS = 200;

    @Mixin
    ConnectorOptions.Source engine;

    @Option(names = "--connection", required = true, description = "PostgreSQL connection: 'host=... dbname=... user=... "
            + "password=...', postgresql://user:pass@host:port/db or jdbc:postgresql://host:port/db?user=...")
    String connection;

    @Option(names = "--table", description = "The table whose inserted rows are forwarded (table or schema.table).")
    String table = "transactions";

    @Option(names = "--channel", description = "The notification channel; defaults to wallaby_<table>.")
    String channel;

    @Option(names = "--stream", description = "Name of the source stream; defaults to the table name.")
    String stream;

    @Option(names = "--create-table", description = "Create the table as transactions(id bigserial primary key, "
            + "amount numeric(14,2) not null, created_at timestamptz not null default now()) when it is missing.")
    boolean createTable;

    private final ObjectMapper json = new ObjectMapper();
    private volatile boolean stopping;
    private ConnectionString database;
    private NotifyTrigger trigger;
    private String channelName;

    @Override
    public Integer call() throws Exception {
        configure();
        String streamName = stream != null ? stream : table;
        Connection db = open();
        try {
            trigger.install(db, createTable);
        } catch (SQLException e) {
            db.close();
            throw new IllegalStateException("installing the notify trigger on " + table + " failed: " + e.getMessage(), e);
        }
        SourceConnector connector = new SourceConnector(engine.settings("wallaby-source-postgres"));
        Thread shutdown = new Thread(() -> {
            stop();
            connector.close(Duration.ofSeconds(5));
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        connector.connect();
        long acknowledged = connector.openStream(streamName);
        // Listen only once the stream is ours: a standby must not queue up rows the active instance sends.
        PostgresNotificationForwarder forwarder = new PostgresNotificationForwarder(connector, streamName,
                acknowledged == Frame.U64_MAX ? 1 : acknowledged + 1);
        Backoff backoff = Backoff.standard();
        boolean announced = false;
        while (!stopping) {
            try {
                listen(db);
                backoff.reset();
                if (!announced) {
                    // Launchers and tests wait for this line before they insert rows.
                    log.info("ready: forwarding rows inserted into {} on stream '{}' from message id {}", table,
                            streamName, forwarder.nextMessageId);
                    announced = true;
                }
                forwarder.forwardUntilError(db);
            } catch (SQLException e) {
                log.warn("lost the PostgreSQL connection ({}); reconnecting. Rows inserted until it is back are not "
                        + "captured: this notify mode is not lossless across database disconnects", e.getMessage());
            }
            closeQuietly(db);
            db = null;
            while (db == null && !stopping) {
                backoff.pause();
                connector.flush();
                try {
                    db = DriverManager.getConnection(database.jdbcUrl(), database.properties());
                    log.info("reconnected to PostgreSQL at {}", database.jdbcUrl());
                } catch (SQLException e) {
                    log.warn("cannot reconnect to PostgreSQL at {} ({}); retrying in {} ms", database.jdbcUrl(),
                            e.getMessage(), backoff.nextDelayMillis());
                }
            }
        }
        if (db != null) {
            closeQuietly(db);
        }
        connector.close(Duration.ofSeconds(5));
        return 0;
    }

    /** Makes {@link #call()} return: it closes the stream and the connection within a few seconds. */
    void stop() {
        stopping = true;
    }

    private void configure() {
        try {
            database = ConnectionString.parse(connection);
            SqlIdentifiers.parts(table, "--table");
            channelName = channel != null ? channel : "wallaby_" + table.replace('.', '_');
            trigger = new NotifyTrigger(table, channelName);
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

    private void listen(Connection db) throws SQLException {
        db.setAutoCommit(true);
        try (Statement s = db.createStatement()) {
            s.execute("LISTEN \"" + channelName + "\"");
        }
    }

    private static void closeQuietly(Connection db) {
        try {
            db.close();
        } catch (SQLException e) {
            log.debug("closing a broken connection failed", e);
        }
    }

    /** Turns notifications into messages; runs on the command's thread. */
    private final class PostgresNotificationForwarder {
        private final SourceConnector connector;
        private final String streamName;
        long nextMessageId;

        PostgresNotificationForwarder(SourceConnector connector, String streamName, long firstMessageId) {
            this.connector = connector;
            this.streamName = streamName;
            this.nextMessageId = firstMessageId;
        }

        void forwardUntilError(Connection db) throws SQLException {
            PGConnection pg = db.unwrap(PGConnection.class);
            while (!stopping) {
                PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
                if (notifications != null) {
                    for (PGNotification n : notifications) {
                        byte[] row = resolve(db, n.getParameter());
                        if (row != null) {
                            connector.write(streamName, nextMessageId++, row);
                        }
                    }
                }
                connector.flush();
            }
        }

        /** The row's JSON: the notification itself, or the row fetched by id when it was too large. */
        private byte[] resolve(Connection db, String payload) throws SQLException {
            if (!payload.contains("\"wallaby_oversize\"")) {
                return payload.getBytes(StandardCharsets.UTF_8);
            }
            JsonNode marker;
            try {
                marker = json.readTree(payload);
            } catch (IOException e) {
                return payload.getBytes(StandardCharsets.UTF_8);
            }
            if (!marker.path("wallaby_oversize").asBoolean(false) || !marker.has("id") || marker.size() != 2) {
                return payload.getBytes(StandardCharsets.UTF_8);
            }
            JsonNode id = marker.get("id");
            String where = id.isIntegralNumber() ? "t.id = ?" : "t.id::text = ?";
            try (PreparedStatement s = db.prepareStatement(
                    "SELECT row_to_json(t)::text FROM " + trigger.quotedTable() + " t WHERE " + where)) {
                if (id.isIntegralNumber()) {
                    s.setLong(1, id.asLong());
                } else {
                    s.setString(1, id.asText());
                }
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        return rs.getString(1).getBytes(StandardCharsets.UTF_8);
                    }
                }
            }
            log.warn("row id {} of {} was too large for a notification and is gone by the time it was fetched; skipped",
                    id, table);
            return null;
        }
    }
}
