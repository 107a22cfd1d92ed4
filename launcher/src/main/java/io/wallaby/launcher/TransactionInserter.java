package io.wallaby.launcher;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/** Inserts transactions into the {@code transactions} table as a user's application would: many rows a commit. */
public final class TransactionInserter {

    /** One row of {@code transactions}: a deposit when the amount is positive, a withdrawal when negative. */
    public record Transaction(long id, BigDecimal amount) {
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
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO transactions (id, amount) VALUES (?, ?)")) {
            int inBatch = 0;
            for (Transaction t : transactions) {
                insert.setLong(1, t.id());
                insert.setBigDecimal(2, t.amount());
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
