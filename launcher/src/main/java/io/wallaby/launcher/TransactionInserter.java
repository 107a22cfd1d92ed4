package io.wallaby.launcher;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/** Inserts transactions into the {@code transactions} table as a user's application would: many rows a commit. */
public final class TransactionInserter {

    /** One row of {@code transactions}: a deposit when the amount is positive, a withdrawal when negative. */
    public record Transaction(long id, BigDecimal amount) {
    }

    /**
     * A row as velocity_alerts reads it: whose account, when (its {@code created_at}, the event time) and how
     * much. Its id is left to the table's sequence.
     */
    public record AccountTransaction(long account, Instant createdAt, BigDecimal amount) {
    }

    /** Sets one row's parameters on the insert statement. */
    private interface Binder<T> {
        void bind(PreparedStatement insert, T row) throws SQLException;
    }

    private TransactionInserter() {
    }

    /**
     * Inserts {@code transactions} with their own ids, {@code perCommit} rows to a database transaction.
     *
     * @throws SQLException with a hint when the table already holds one of the ids
     */
    public static void insert(Connection connection, List<Transaction> transactions, int perCommit)
            throws SQLException {
        insert(connection, "INSERT INTO transactions (id, amount) VALUES (?, ?)", transactions, perCommit,
                (insert, t) -> {
                    insert.setLong(1, t.id());
                    insert.setBigDecimal(2, t.amount());
                });
    }

    /** Inserts {@code transactions} with their account and creation time, {@code perCommit} rows to a commit. */
    public static void insertWithAccounts(Connection connection, List<AccountTransaction> transactions, int perCommit)
            throws SQLException {
        insert(connection, "INSERT INTO transactions (account, created_at, amount) VALUES (?, ?, ?)", transactions,
                perCommit, (insert, t) -> {
                    insert.setLong(1, t.account());
                    insert.setObject(2, OffsetDateTime.ofInstant(t.createdAt(), ZoneOffset.UTC)); // an instant, whatever the zones
                    insert.setBigDecimal(3, t.amount());
                });
    }

    private static <T> void insert(Connection connection, String sql, List<T> rows, int perCommit, Binder<T> binder)
            throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (PreparedStatement insert = connection.prepareStatement(sql)) {
            int inBatch = 0;
            for (T row : rows) {
                binder.bind(insert, row);
                insert.addBatch();
                if (++inBatch == perCommit) {
                    insert.executeBatch();
                    connection.commit();
                    inBatch = 0;
                }
            }
            insert.executeBatch();
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            if ("23505".equals(e.getSQLState()) || e.getNextException() != null
                    && "23505".equals(e.getNextException().getSQLState())) {
                throw new SQLException("transactions already holds one of the ids being inserted: "
                        + "use an empty database, or truncate the table first", e);
            }
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }
}
