package io.wallaby.source.postgres;

import io.wallaby.connector.ConfigurationException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Checks at start that {@code --partition-by} can route every change of every captured table: the column
 * exists in each, and for logical decoding PostgreSQL sends its value with every change. A delete carries
 * only the old row's replica identity, so the column must belong to it (REPLICA IDENTITY FULL, or a key
 * column); and a generated column is never sent. Refusing at start beats routing deletes to the wrong
 * stream later.
 */
final class PartitionColumn {

    private PartitionColumn() {
    }

    /**
     * @param tables the captured tables, schema-qualified as the catalog spells them
     * @throws ConfigurationException saying what to change when a table cannot be partitioned by {@code column}
     */
    static void check(Connection db, List<String> tables, String column, boolean logical) throws SQLException {
        for (String table : tables) {
            try (PreparedStatement s = db.prepareStatement("SELECT a.attgenerated <> '', c.relreplident, "
                    + "coalesce((SELECT a.attnum = ANY (i.indkey) FROM pg_index i WHERE i.indrelid = c.oid AND "
                    + "CASE c.relreplident WHEN 'i' THEN i.indisreplident ELSE i.indisprimary END LIMIT 1), false), "
                    + "(SELECT string_agg(attname, ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = c.oid "
                    + "AND attnum > 0 AND NOT attisdropped) "
                    + "FROM pg_class c LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = ? "
                    + "AND a.attnum > 0 AND NOT a.attisdropped WHERE c.oid = to_regclass(?)")) {
                s.setString(1, column);
                s.setString(2, quoted(table));
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        throw new ConfigurationException("--partition-by " + column + ": table " + table + " not found");
                    }
                    if (rs.getObject(1) == null) {
                        throw new ConfigurationException("--partition-by " + column + ": table " + table
                                + " has no column " + column + " (its columns: " + rs.getString(4) + "); every captured "
                                + "table needs it");
                    }
                    if (logical) {
                        checkLogical(table, column, rs.getBoolean(1), rs.getString(2).charAt(0), rs.getBoolean(3));
                    }
                }
            }
        }
    }

    private static void checkLogical(String table, String column, boolean generated, char identity, boolean inKey) {
        if (generated) {
            throw new ConfigurationException("--partition-by " + column + ": " + table + "." + column + " is a "
                    + "generated column, which logical decoding does not send; partition by a stored column");
        }
        if (identity != 'f' && !inKey) {
            throw new ConfigurationException("--partition-by " + column + ": a DELETE on " + table + " carries only "
                    + "its replica identity (" + (identity == 'i' ? "an index" : "the primary key") + "), without "
                    + column + ", so it could not be routed to its partition. Run ALTER TABLE " + table
                    + " REPLICA IDENTITY FULL, or partition by a column of the key");
        }
    }

    /** {@code schema.table} as the catalog spells it, quoted for to_regclass. */
    static String quoted(String qualified) {
        int dot = qualified.indexOf('.');
        return quote(qualified.substring(0, dot)) + "." + quote(qualified.substring(dot + 1));
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
