package io.wallaby.source.postgres.logical;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The initial snapshot: the rows already in the captured tables when the slot was made, read in the
 * snapshot the slot exported, so that every change is either in the snapshot or in the stream that follows
 * it, never in both and never in neither. Rows go out as op {@code r}, table by table in primary-key order,
 * with the same value forms as streamed changes (each column is read as PostgreSQL's text form and typed by
 * its catalog type, exactly as pgoutput types it).
 */
final class SnapshotReader {

    private static final Logger log = LoggerFactory.getLogger(SnapshotReader.class);
    private static final int FETCH = 5000;

    /** Takes each row's message; may block (on the engine's credits). */
    interface Sink {
        void accept(Outgoing change) throws SQLException;
    }

    private SnapshotReader() {
    }

    /**
     * Sends every row of {@code tables} as of {@code snapshotName}, numbering them from {@code firstId}; of a
     * partitioned stream only the rows of its partition, numbered on their own.
     *
     * @return the id of the last row sent, or {@code firstId - 1} when the tables were empty
     */
    static long read(Connection db, String snapshotName, List<String> tables, Partition partition, long firstId,
                     String snapshotLsn, Sink sink) throws SQLException {
        ChangeEnvelope envelope = new ChangeEnvelope();
        boolean autoCommit = db.getAutoCommit();
        db.setAutoCommit(false);
        long id = firstId;
        try (Statement s = db.createStatement()) {
            s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            s.execute("SET TRANSACTION SNAPSHOT '" + snapshotName.replace("'", "''") + "'");
            for (String table : tables) {
                long before = id;
                PgOutput.Relation relation = describe(db, table);
                int partitionColumn = partition == null ? -1
                        : partition.columnIn(relation.columns().stream().map(PgOutput.Column::name).toList());
                try (PreparedStatement select = db.prepareStatement(select(relation))) {
                    select.setFetchSize(FETCH);
                    try (ResultSet rs = select.executeQuery()) {
                        int columns = relation.columns().size();
                        while (rs.next()) {
                            String[] values = new String[columns];
                            for (int i = 0; i < columns; i++) {
                                values[i] = rs.getString(i + 1);
                            }
                            if (partition != null && !partition.owns(values[partitionColumn])) {
                                continue; // a sibling stream's snapshot carries it
                            }
                            long position = id - firstId;
                            sink.accept(new Outgoing(id, envelope.snapshotRow(relation, ChangeEnvelope.tuple(values),
                                    snapshotLsn, position), table, 0, (int) Math.min(position, Integer.MAX_VALUE)));
                            id++;
                        }
                    }
                }
                log.info("snapshot of {}: {} rows (messages {}..{})", table, id - before, before, id - 1);
            }
            db.commit();
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(autoCommit);
        }
        return id - 1;
    }

    /** The table's columns as pgoutput describes them: not dropped, not generated, in order; key = primary key. */
    static PgOutput.Relation describe(Connection db, String table) throws SQLException {
        int dot = table.indexOf('.');
        String schema = table.substring(0, dot);
        String name = table.substring(dot + 1);
        try (PreparedStatement s = db.prepareStatement("SELECT a.attname, a.atttypid::int, "
                + "coalesce(a.attnum = ANY (i.indkey), false), c.relreplident "
                + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "JOIN pg_attribute a ON a.attrelid = c.oid "
                + "LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary "
                + "WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' "
                + "ORDER BY a.attnum")) {
            s.setString(1, schema);
            s.setString(2, name);
            List<PgOutput.Column> columns = new ArrayList<>();
            char identity = 'd';
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    columns.add(new PgOutput.Column(rs.getString(1), rs.getInt(2), rs.getBoolean(3)));
                    identity = rs.getString(4).charAt(0);
                }
            }
            if (columns.isEmpty()) {
                throw new SQLException("table " + table + " has no columns to capture, or does not exist");
            }
            return new PgOutput.Relation(0, schema, name, identity, List.copyOf(columns));
        }
    }

    private static String select(PgOutput.Relation relation) {
        List<String> values = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (PgOutput.Column column : relation.columns()) {
            String quoted = ReplicationSlot.quote(column.name());
            values.add(quoted + "::text");
            if (column.key()) {
                // Qualified: a bare name in ORDER BY means the output column, here the key's text, which would
                // sort 10 before 2.
                keys.add("snapshot." + quoted);
            }
        }
        return "SELECT " + String.join(", ", values) + " FROM " + ReplicationSlot.quote(relation.schema()) + "."
                + ReplicationSlot.quote(relation.name()) + " AS snapshot"
                + (keys.isEmpty() ? "" : " ORDER BY " + String.join(", ", keys));
    }
}
