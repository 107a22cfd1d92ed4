package io.wallaby.source.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wallaby.connector.Backoff;
import io.wallaby.connector.SourceConnector;
import io.wallaby.connector.postgres.ConnectionString;
import io.wallaby.connector.postgres.PostgresConnections;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.BooleanSupplier;

/**
 * The at-most-once mode ({@code --capture notify}): the row travels in the NOTIFY payload and nothing is
 * kept, so rows inserted while the connector is down or reconnecting are lost. Message ids are this
 * connector's own sequence in receive order, resumed after the engine's point.
 */
final class NotifyCapture {

    private static final Logger log = LoggerFactory.getLogger(NotifyCapture.class);
    private static final int POLL_MILLIS = 200;

    private final ObjectMapper json = new ObjectMapper();
    private final ConnectionString database;
    private final NotifyTrigger trigger;
    private final String table;
    private final String channel;
    private final String streamName;
    private long nextMessageId;

    NotifyCapture(ConnectionString database, NotifyTrigger trigger, String table, String channel, String streamName,
                  long firstMessageId) {
        this.database = database;
        this.trigger = trigger;
        this.table = table;
        this.channel = channel;
        this.streamName = streamName;
        this.nextMessageId = firstMessageId;
    }

    /** Forwards notifications until {@code stopping}, reconnecting to PostgreSQL with backoff. */
    void run(Connection first, SourceConnector connector, BooleanSupplier stopping) throws InterruptedException {
        Connection db = first;
        Backoff backoff = Backoff.standard();
        boolean announced = false;
        while (!stopping.getAsBoolean()) {
            try {
                listen(db);
                backoff.reset();
                if (!announced) {
                    // Launchers and tests wait for this line before they insert rows.
                    log.info("ready: forwarding rows inserted into {} on stream '{}' from message id {} "
                            + "(notify mode: at most once)", table, streamName, nextMessageId);
                    announced = true;
                }
                forwardUntilError(db, connector, stopping);
            } catch (SQLException e) {
                log.warn("lost the PostgreSQL connection ({}); reconnecting. Rows inserted until it is back are not "
                        + "captured: notify mode is not lossless across database disconnects", e.getMessage());
            }
            closeQuietly(db);
            db = null;
            while (db == null && !stopping.getAsBoolean()) {
                backoff.pause();
                connector.flush();
                try {
                    db = PostgresConnections.open(database);
                    log.info("reconnected to {}", PostgresConnections.describe(database));
                } catch (SQLException e) {
                    log.warn("cannot reconnect to {} ({}); retrying in {} ms", PostgresConnections.describe(database),
                            e.getMessage(), backoff.nextDelayMillis());
                }
            }
        }
        if (db != null) {
            closeQuietly(db);
        }
    }

    private void listen(Connection db) throws SQLException {
        db.setAutoCommit(true);
        try (Statement s = db.createStatement()) {
            s.execute("LISTEN \"" + channel + "\"");
        }
    }

    private void forwardUntilError(Connection db, SourceConnector connector, BooleanSupplier stopping)
            throws SQLException {
        PGConnection pg = db.unwrap(PGConnection.class);
        while (!stopping.getAsBoolean()) {
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

    private static void closeQuietly(Connection db) {
        try {
            db.close();
        } catch (SQLException e) {
            log.debug("closing a broken connection failed", e);
        }
    }
}
