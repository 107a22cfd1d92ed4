package io.wallaby.launcher;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * The PostgreSQL the end-to-end tests run against: the embedded one by default, or the server named by
 * {@code WALLABY_TEST_JDBC_URL} together with {@code WALLABY_TEST_CONNECTION} (its libpq form for the
 * connectors), e.g. the machine's own PostgreSQL. Each test class gets a database of its own there.
 */
final class TestDatabase implements AutoCloseable {

    private final EmbeddedDatabase embedded;
    private final String jdbcUrl;
    private final String connectionString;

    private TestDatabase(EmbeddedDatabase embedded, String jdbcUrl, String connectionString) {
        this.embedded = embedded;
        this.jdbcUrl = jdbcUrl;
        this.connectionString = connectionString;
    }

    static TestDatabase start() throws Exception {
        String url = System.getenv("WALLABY_TEST_JDBC_URL");
        String conn = System.getenv("WALLABY_TEST_CONNECTION");
        if (url != null && conn != null) {
            // An external server: start from empty tables so counts mean what the test says.
            try (Connection c = DriverManager.getConnection(url)) {
                c.createStatement().execute("DROP TABLE IF EXISTS transactions, alert_log, wallaby_sink_offsets CASCADE");
            }
            return new TestDatabase(null, url, conn);
        }
        EmbeddedDatabase db = EmbeddedDatabase.start(0, null);
        return new TestDatabase(db, db.jdbcUrl(), db.connectionString());
    }

    /** Whether {@link #restart()} can stop and start the server (only the embedded one). */
    boolean canRestart() {
        return embedded != null;
    }

    /** Stops PostgreSQL and starts it again on the same port and data, cutting off every session. */
    void restart() throws Exception {
        embedded.restart();
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
    }
}
