package io.wallaby.connector.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Makes a running PostgreSQL (an embedded test server trusts every local connection) ask for a password:
 * a role {@code writer} with password {@link #PASSWORD}, and a pg_hba.conf, written through the server's own
 * COPY ... TO and reloaded, that trusts only the superuser {@code postgres} and wants SCRAM from everyone else.
 */
public final class PasswordDatabase {

    public static final String USER = "writer";
    public static final String PASSWORD = "right-horse-battery";

    private PasswordDatabase() {
    }

    /** @param superuserUrl a JDBC URL of the server as {@code postgres} */
    public static void requirePasswords(String superuserUrl) throws SQLException {
        try (Connection c = DriverManager.getConnection(superuserUrl); Statement s = c.createStatement()) {
            String hbaFile;
            try (ResultSet rs = s.executeQuery("SHOW hba_file")) {
                rs.next();
                hbaFile = rs.getString(1);
            }
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + USER + "') THEN "
                    + "CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'; END IF; END $$");
            s.execute("COPY (VALUES ('local all all trust'), ('host all postgres 127.0.0.1/32 trust'), "
                    + "('host all postgres ::1/128 trust'), ('host all all 127.0.0.1/32 scram-sha-256'), "
                    + "('host all all ::1/128 scram-sha-256')) TO '" + hbaFile.replace("'", "''") + "'");
            s.execute("SELECT pg_reload_conf()");
        }
    }
}
