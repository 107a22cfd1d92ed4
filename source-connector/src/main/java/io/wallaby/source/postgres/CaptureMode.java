package io.wallaby.source.postgres;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.wallaby.connector.postgres.SqlIdentifiers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** How the postgres source captures changes; {@link #auto} picks the best the server allows. */
enum CaptureMode {
    /** logical when the server and role allow it, else table. */
    auto,
    /** A replication slot read with pgoutput: inserts, updates and deletes, nothing written per row. */
    logical,
    /** A trigger copies each inserted row into wallaby.changes: inserts only, lossless. */
    table,
    /** The row rides in a NOTIFY: inserts only, at most once. */
    notify;

    private static final Logger log = LoggerFactory.getLogger(CaptureMode.class);

    /**
     * The mode to run: this one, or for {@link #auto} what the server's settings allow, said in one log line.
     * A table that already has the table capture's trigger keeps the table capture: a stream never changes
     * mode by itself, since rows committed between the two captures would be lost or sent twice.
     */
    CaptureMode resolve(Connection db, List<String> tables) throws SQLException {
        if (this != auto) {
            return this;
        }
        for (String name : tables) {
            if (hasTableCapture(db, name)) {
                log.info("--capture auto: table capture, because {} already has its trigger (a stream keeps the mode "
                        + "it was installed with; see the README, 'Choosing a capture mode', to move it)", name);
                return CaptureMode.table;
            }
        }
        String walLevel;
        boolean mayReplicate;
        try (Statement s = db.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW wal_level")) {
                rs.next();
                walLevel = rs.getString(1);
            }
            try (ResultSet rs = s.executeQuery(
                    "SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user")) {
                mayReplicate = rs.next() && rs.getBoolean(1);
            }
        }
        if ("logical".equals(walLevel) && mayReplicate) {
            log.info("--capture auto: logical (wal_level is logical and the role may replicate)");
            return logical;
        }
        log.warn("--capture auto: table capture (a trigger and the wallaby.changes table), because {}. For logical "
                + "decoding, which costs the database's writers almost nothing and also captures updates and deletes: "
                + "{}", "logical".equals(walLevel) ? "the role " + currentUser(db) + " may not replicate"
                        : "wal_level is " + walLevel + ", not logical",
                "logical".equals(walLevel) ? "ALTER ROLE " + currentUser(db) + " REPLICATION"
                        : "ALTER SYSTEM SET wal_level = logical, then restart PostgreSQL"
                        + (mayReplicate ? "" : "; and ALTER ROLE " + currentUser(db) + " REPLICATION"));
        return table;
    }

    private static boolean hasTableCapture(Connection db, String table) throws SQLException {
        try (PreparedStatement s = db.prepareStatement("SELECT count(*) FROM pg_trigger WHERE tgname = 'wallaby_capture' "
                + "AND tgrelid = to_regclass(?)")) {
            s.setString(1, SqlIdentifiers.quote(table, "--table"));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    private static String currentUser(Connection db) throws SQLException {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT current_user")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
