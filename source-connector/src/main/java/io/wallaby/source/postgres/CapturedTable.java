package io.wallaby.source.postgres;

import io.wallaby.connector.ConfigurationException;
import io.wallaby.connector.postgres.SqlIdentifiers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The user's table a postgres source captures, as both capture modes install their trigger on it: it must
 * exist, unless {@code --create-table} asks for the transactions table to be made.
 */
final class CapturedTable {

    private static final Logger log = LoggerFactory.getLogger(CapturedTable.class);

    /** What {@code --create-table} makes. */
    static final String COLUMNS = "id bigserial primary key, amount numeric(14,2) not null, "
            + "created_at timestamptz not null default now(), account bigint";

    private CapturedTable() {
    }

    /**
     * Creates {@code table} as {@code transactions(id, amount, created_at, account)} when it is missing and
     * {@code createTable} is set, inside the caller's transaction. {@code account} is nullable, so writers
     * that do not know it need not change; it is the column a source partitions by ({@code --partition-by
     * account}). An existing table is left as it is.
     *
     * @throws ConfigurationException when the table is missing and is not to be created
     */
    static void ensureExists(Connection db, String table, String quotedTable, boolean createTable)
            throws SQLException {
        if (exists(db, quotedTable)) {
            return;
        }
        if (!createTable) {
            throw new ConfigurationException("table " + table + " does not exist in database " + db.getCatalog()
                    + "; create it, or pass --create-table to create " + table
                    + "(" + COLUMNS + ")");
        }
        try (Statement s = db.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + quotedTable + " (" + COLUMNS + ")");
        }
        log.info("created table {}", table);
    }

    static boolean exists(Connection db, String quotedTable) throws SQLException {
        try (PreparedStatement s = db.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            s.setString(1, quotedTable);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * Makes sure {@code table} exists (see {@link #ensureExists}) and returns its schema-qualified name as the
     * catalog spells it ({@code public.transactions}).
     */
    static String qualifiedName(Connection db, String table, boolean createTable) throws SQLException {
        String quoted = SqlIdentifiers.quote(table, "--table");
        ensureExists(db, table, quoted, createTable);
        try (PreparedStatement s = db.prepareStatement("SELECT n.nspname || '.' || c.relname FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(?)")) {
            s.setString(1, quoted);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
