package io.wallaby.connector.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Where the connectors open their PostgreSQL connections, each from a {@link ConnectionString}: the one place
 * that decides which connection properties each kind of connection gets, which application name it shows in
 * {@code pg_stat_activity}, and how a server that cannot be used is named in an error. What the user's
 * connection string says wins over the defaults here (an {@code application_name} of theirs too), except for
 * what a kind of connection cannot do without.
 *
 * <p>No pgjdbc dependency, as for {@link ConnectionString}: {@link DriverManager} finds the driver each
 * connector ships, and the property names are pgjdbc's documented connection parameters.
 */
public final class PostgresConnections {

    /** The postgres source's connections: capture, acknowledgements, logical replication, dead letters. */
    public static final String SOURCE = "wallaby-source-postgres";
    /** The postgres source's admin port, reading its replication slot's figures. */
    public static final String SOURCE_ADMIN = "wallaby-source-admin";
    /** The postgres sink's connection. */
    public static final String SINK = "wallaby-sink-postgres";

    private static final String APPLICATION_NAME = "ApplicationName";

    private PostgresConnections() {
    }

    /** A connection as the connection string says: no application name unless the string names one. */
    public static Connection open(ConnectionString database) throws SQLException {
        return DriverManager.getConnection(database.jdbcUrl(), copy(database));
    }

    /** A connection shown as {@code applicationName} in pg_stat_activity (unless the string names one). */
    public static Connection open(ConnectionString database, String applicationName) throws SQLException {
        return DriverManager.getConnection(database.jdbcUrl(), named(database, applicationName));
    }

    /** A writer's connection: pgjdbc rewrites a batch of INSERTs into multi-row ones. */
    public static Connection openForBatchedInserts(ConnectionString database, String applicationName)
            throws SQLException {
        return DriverManager.getConnection(database.jdbcUrl(), forBatchedInserts(database, applicationName));
    }

    /**
     * A connection that gives up rather than hang on a dead server (a metrics scrape must not): 5 s to connect,
     * 10 s for an answer, unless the connection string says otherwise.
     */
    public static Connection openWithTimeouts(ConnectionString database, String applicationName) throws SQLException {
        return DriverManager.getConnection(database.jdbcUrl(), withTimeouts(database, applicationName));
    }

    /**
     * A connection that speaks the replication protocol (it may create slots and stream changes): logical
     * replication on the connection string's database, in the simple query protocol that a walsender
     * understands, whatever the string says about those.
     */
    public static Connection openReplication(ConnectionString database, String applicationName) throws SQLException {
        return DriverManager.getConnection(database.jdbcUrl(), forReplication(database, applicationName));
    }

    /** How a server is named in errors and log lines: its JDBC URL and user, never the password. */
    public static String describe(ConnectionString database) {
        return "PostgreSQL at " + database.jdbcUrl() + (database.user() == null ? "" : " as " + database.user());
    }

    /**
     * The error for a server that cannot be used: which one, what PostgreSQL said, and what to check.
     *
     * @param failed what could not be done to it, e.g. {@code "connect to"}
     * @param check  what to check besides {@code --connection} and that the server runs, e.g. {@code "that the
     *               user and password are right"}
     */
    public static IllegalStateException failure(String failed, ConnectionString database, SQLException cause,
                                                String check) {
        return new IllegalStateException("cannot " + failed + " " + describe(database) + ": " + cause.getMessage()
                + "; check --connection, that the server runs and " + check, cause);
    }

    static Properties copy(ConnectionString database) {
        Properties properties = new Properties();
        properties.putAll(database.properties());
        return properties;
    }

    static Properties named(ConnectionString database, String applicationName) {
        Properties properties = copy(database);
        properties.putIfAbsent(APPLICATION_NAME, applicationName);
        return properties;
    }

    static Properties forBatchedInserts(ConnectionString database, String applicationName) {
        Properties properties = named(database, applicationName);
        properties.setProperty("reWriteBatchedInserts", "true");
        return properties;
    }

    static Properties withTimeouts(ConnectionString database, String applicationName) {
        Properties properties = named(database, applicationName);
        properties.putIfAbsent("connectTimeout", "5");
        properties.putIfAbsent("socketTimeout", "10");
        return properties;
    }

    static Properties forReplication(ConnectionString database, String applicationName) {
        Properties properties = named(database, applicationName);
        properties.setProperty("replication", "database");
        properties.setProperty("assumeMinServerVersion", "10");
        properties.setProperty("preferQueryMode", "simple");
        return properties;
    }
}
