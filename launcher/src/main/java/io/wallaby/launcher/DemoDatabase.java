package io.wallaby.launcher;

import io.wallaby.connector.postgres.ConnectionString;
import io.wallaby.connector.postgres.PostgresConnections;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The demo's own connection to the PostgreSQL the pipeline uses: it creates {@code transactions} the
 * way the postgres source's {@code --create-table} does (so rows can be inserted before the source is
 * up), inserts the transactions and watches {@code alert_log}.
 */
final class DemoDatabase implements AutoCloseable {

    private final ConnectionString target;
    private final Connection connection;

    private DemoDatabase(ConnectionString target, Connection connection) {
        this.target = target;
        this.connection = connection;
    }

    static DemoDatabase open(String connectionString) throws SQLException {
        ConnectionString target = ConnectionString.parse(connectionString);
        return new DemoDatabase(target, PostgresConnections.open(target));
    }

    Connection connection() {
        return connection;
    }

    /** Where the demo's database is, without its password. */
    String describe() {
        return target.toString();
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
