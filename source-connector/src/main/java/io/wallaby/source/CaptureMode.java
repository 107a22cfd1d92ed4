package io.wallaby.source;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

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

    /** The mode to run: this one, or for {@link #auto} what the server's settings allow, said in one log line. */
    CaptureMode resolve(Connection db) throws SQLException {
        if (this != auto) {
            return this;
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

    private static String currentUser(Connection db) throws SQLException {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT current_user")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
