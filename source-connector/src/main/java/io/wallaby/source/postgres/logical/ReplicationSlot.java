package io.wallaby.source.postgres.logical;

import io.wallaby.connector.ConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The server-side objects a logical capture reads through: a publication naming the captured tables and a
 * logical replication slot of the {@code pgoutput} plugin. Creating them is idempotent; what exists is
 * checked against what this capture expects, and a mismatch is a clear error rather than a silent change
 * (changing what a slot publishes would change the ids of changes sent again after a restart).
 */
final class ReplicationSlot {

    private static final Logger log = LoggerFactory.getLogger(ReplicationSlot.class);

    private final String slot;
    private final String publication;

    ReplicationSlot(String slot, String publication) {
        this.slot = slot;
        this.publication = publication;
    }

    String slot() {
        return slot;
    }

    String publication() {
        return publication;
    }

    /** A slot just made: where its stream begins and, when asked for, the snapshot that matches it. */
    record Created(long consistentPoint, String snapshotName) { }

    /**
     * Creates the publication for {@code tables} (schema-qualified, existing) or checks that the one there
     * publishes exactly them.
     */
    void ensurePublication(Connection db, List<String> tables) throws SQLException {
        for (String table : tables) {
            checkReplicaIdentity(db, table);
        }
        TreeSet<String> wanted = new TreeSet<>(tables);
        Optional<TreeSet<String>> existing = publishedTables(db);
        if (existing.isPresent()) {
            if (!existing.get().equals(wanted)) {
                throw new ConfigurationException("publication " + publication + " publishes " + existing.get()
                        + ", not " + wanted + "; another stream may own it: pass another --publication, or remove "
                        + "it (DROP PUBLICATION " + publication + ") if it is a leftover");
            }
            log.info("publication {} already publishes {}", publication, wanted);
            return;
        }
        List<String> quoted = new ArrayList<>();
        for (String table : tables) {
            int dot = table.indexOf('.');
            quoted.add(quote(table.substring(0, dot)) + "." + quote(table.substring(dot + 1)));
        }
        try (Statement s = db.createStatement()) {
            s.execute("CREATE PUBLICATION " + quote(publication) + " FOR TABLE " + String.join(", ", quoted));
        } catch (SQLException e) {
            if (!"42710".equals(e.getSQLState())) { // duplicate_object: a second instance made it just now
                throw e;
            }
        }
        log.info("created publication {} for {}", publication, wanted);
    }

    /**
     * Creates the slot on a replication connection. With {@code exportSnapshot} the snapshot stays usable
     * (for {@code SET TRANSACTION SNAPSHOT}) until that connection runs another command or closes.
     */
    Created create(Connection replication, boolean exportSnapshot) throws SQLException {
        try (Statement s = replication.createStatement();
             ResultSet rs = s.executeQuery("CREATE_REPLICATION_SLOT " + quote(slot) + " LOGICAL pgoutput "
                     + (exportSnapshot ? "EXPORT_SNAPSHOT" : "NOEXPORT_SNAPSHOT"))) {
            rs.next();
            Created created = new Created(Lsn.parse(rs.getString("consistent_point")),
                    rs.getString("snapshot_name"));
            log.info("created replication slot {} (pgoutput) at {}", slot, SlotPosition.lsn(created.consistentPoint()));
            return created;
        }
    }

    void drop(Connection db) throws SQLException {
        try (PreparedStatement s = db.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            s.setString(1, slot);
            s.execute();
        }
        log.info("dropped replication slot {}", slot);
    }

    private Optional<TreeSet<String>> publishedTables(Connection db) throws SQLException {
        try (PreparedStatement exists = db.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?");
             PreparedStatement tables = db.prepareStatement(
                     "SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = ?")) {
            exists.setString(1, publication);
            try (ResultSet rs = exists.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
            }
            tables.setString(1, publication);
            TreeSet<String> names = new TreeSet<>();
            try (ResultSet rs = tables.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            return Optional.of(names);
        }
    }

    /**
     * A published table without a replica identity makes the user's own UPDATE and DELETE statements fail,
     * so such a table is refused before the publication exists.
     */
    private static void checkReplicaIdentity(Connection db, String table) throws SQLException {
        try (PreparedStatement s = db.prepareStatement("SELECT c.relreplident, EXISTS (SELECT 1 FROM pg_index i "
                + "WHERE i.indrelid = c.oid AND i.indisprimary) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname || '.' || c.relname = ?")) {
            s.setString(1, table);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new ConfigurationException("table " + table + " does not exist");
                }
                String identity = rs.getString(1);
                boolean primaryKey = rs.getBoolean(2);
                if ("n".equals(identity) || ("d".equals(identity) && !primaryKey)) {
                    throw new ConfigurationException("table " + table + " has no primary key or replica identity: "
                            + "once published, its UPDATE and DELETE statements would fail. Add a primary key, or run "
                            + "ALTER TABLE " + table + " REPLICA IDENTITY FULL, then start the source again");
                }
            }
        }
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
