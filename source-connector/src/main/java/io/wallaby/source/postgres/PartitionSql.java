package io.wallaby.source.postgres;

import io.wallaby.connector.StreamPartitions;

/**
 * {@link StreamPartitions}'s hash written in SQL, for the table capture: it keeps, in {@code wallaby.changes c},
 * the rows of one partition, so each partition stream reads and deletes only its own rows and the reasoning
 * of {@link ChangeCapture} (gap-free reads, deterministic ids) holds for each stream on its own.
 *
 * <p>The value hashed is the column's PostgreSQL text form: the row the trigger stored as jsonb is turned back
 * into the table's row type and the column cast to text, so {@code 7} is {@code "7"} and {@code true} is
 * {@code "t"}, exactly as logical decoding prints them. The 64-bit unsigned number is assembled from two
 * 32-bit halves as numeric (a bigint would be signed). NULL, and a row stored before the column existed,
 * give partition 0. {@code PartitionSqlTest} checks it against the Java hash.
 */
final class PartitionSql {

    private PartitionSql() {
    }

    /**
     * {@code " AND <partition of the row> = index"}, for a query on {@code wallaby.changes c}.
     *
     * @param quotedTable  the captured table, quoted ({@code "public"."transactions"})
     * @param quotedColumn the partition column, quoted
     */
    static String condition(String quotedTable, String quotedColumn, int index, int count) {
        return " AND " + partitionOf("(jsonb_populate_record(NULL::" + quotedTable + ", c.payload))." + quotedColumn
                + "::text", count) + " = " + index;
    }

    /** The SQL expression for the partition of the text expression {@code value} among {@code count}. */
    static String partitionOf(String value, int count) {
        return "coalesce((SELECT mod(('x' || lpad(left(h, 8), 16, '0'))::bit(64)::bigint::numeric * 4294967296 "
                + "+ ('x' || lpad(substr(h, 9, 8), 16, '0'))::bit(64)::bigint, " + count + ") "
                + "FROM (SELECT encode(sha256(convert_to(" + value + ", 'UTF8')), 'hex') AS h) AS hashed), 0)";
    }
}
