package io.wallaby.launcher;

import io.wallaby.connector.postgres.ConnectionString;
import io.wallaby.connector.postgres.PostgresConnections;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The demo's own connection to the PostgreSQL the pipeline uses: it creates {@code transactions} the
 * way the postgres source's {@code --create-table} does (so rows can be inserted before the source is
 * up), inserts the transactions and watches {@code alert_log}.
 */
final class DemoDatabase implements AutoCloseable {

    /** The postgres source's {@code --create-table} columns. */
    private static final String TRANSACTIONS_COLUMNS = "id bigserial primary key, amount numeric(14,2) not null, "
            + "created_at timestamptz not null default now(), account bigint";

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

    /**
     * Creates {@code transactions} as the postgres source's {@code --create-table} does, when it is missing, and
     * puts every column in its replica identity: a partitioned logical capture routes a delete by its old row,
     * so it refuses to start unless the partition column (account) is in the replica identity.
     *
     * @throws SQLException saying what to do when an existing table has no account column
     */
    /** The highest id in transactions, 0 when empty: a run's own rows are those after it. */
    long lastTransactionId() throws SQLException {
        try (Statement s = connection().createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(max(id), 0) FROM transactions")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    void createTransactionsTable() throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS transactions (" + TRANSACTIONS_COLUMNS + ")");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM information_schema.columns "
                    + "WHERE table_name = 'transactions' AND column_name = 'account' "
                    + "AND table_schema = current_schema()")) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    throw new SQLException("the table transactions in " + target + " has no account column: "
                            + "ALTER TABLE transactions ADD COLUMN account bigint, or use another database");
                }
            }
            s.execute("ALTER TABLE transactions REPLICA IDENTITY FULL");
        }
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
