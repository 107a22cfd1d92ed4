package io.wallaby.connector.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real PostgreSQL (io.zonky embedded) for one test class: started before its tests, stopped after them.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedPostgresExtension postgres = new EmbeddedPostgresExtension();
 *
 * try (Connection c = postgres.connect()) { ... }
 * }</pre>
 */
public final class EmbeddedPostgresExtension implements BeforeAllCallback, AfterAllCallback {

    private final Map<String, String> settings = new LinkedHashMap<>();
    private EmbeddedPostgres server;

    /** A server setting, such as {@code wal_level=logical}; before the class starts. */
    public EmbeddedPostgresExtension with(String name, String value) {
        settings.put(name, value);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        settings.forEach(builder::setServerConfig);
        server = builder.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** The JDBC URL of the {@code postgres} database as the {@code postgres} user. */
    public String url() {
        return server.getJdbcUrl("postgres", "postgres");
    }

    public int port() {
        return server.getPort();
    }

    /** The libpq keyword/value form the connectors' {@code --connection} takes. */
    public String connectionString() {
        return "host=127.0.0.1 port=" + port() + " dbname=postgres user=postgres";
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url());
    }
}
