package io.wallaby.source.postgres;

import io.wallaby.source.postgres.logical.SlotStatus;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

/**
 * The logical capture's part of {@link Uninstaller}: the replication slot (dropped first and on its own, its
 * line printed at once; refused while a session holds it) and the publication.
 */
final class LogicalUninstaller {

    private final Connection db;
    private final UninstallCatalog catalog;
    private final PrintStream out;

    LogicalUninstaller(Connection db, UninstallCatalog catalog, PrintStream out) {
        this.db = db;
        this.catalog = catalog;
        this.out = out;
    }

    /** Drops the slot unless a session holds it; false (and says who) when one does. */
    boolean dropSlot(String slot, String stream) throws SQLException {
        Optional<SlotStatus> status = SlotStatus.read(db, slot);
        if (status.isEmpty()) {
            out.println("replication slot " + slot + ": already gone");
            return true;
        }
        if (status.get().active()) {
            refuse(slot, stream, status.get().activePid());
            return false;
        }
        boolean autoCommit = db.getAutoCommit();
        db.setAutoCommit(true); // not transactional anyway: say so by running it on its own
        try (PreparedStatement s = db.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            s.setString(1, slot);
            s.execute();
        } catch (SQLException e) {
            if ("55006".equals(e.getSQLState())) { // object_in_use: a connector took it since the check
                Optional<SlotStatus> now = SlotStatus.read(db, slot);
                refuse(slot, stream, now.map(SlotStatus::activePid).orElse(null));
                return false;
            }
            throw e;
        } finally {
            db.setAutoCommit(autoCommit);
        }
        out.println("replication slot " + slot + ": dropped" + (status.get().lost()
                ? " (it was lost: " + status.get().walStatusText() + ")" : ""));
        return true;
    }

    private void refuse(String slot, String stream, Integer pid) throws SQLException {
        String who = "a session";
        if (pid != null) {
            who = "pid " + pid;
            try (PreparedStatement s = db.prepareStatement("SELECT application_name, host(client_addr) "
                    + "FROM pg_stat_activity WHERE pid = ?")) {
                s.setInt(1, pid);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        String name = rs.getString(1);
                        String from = rs.getString(2);
                        who += " (" + (name == null || name.isEmpty() ? "no application name" : name)
                                + (from == null ? ", local" : " from " + from) + ")";
                    }
                }
            }
        }
        out.println("replication slot " + slot + " is in use by " + who + ": stop that connector (stream '"
                + stream + "') first, then run this again. Nothing was removed.");
    }

    void dropPublication(String publication, List<String> lines) throws SQLException {
        if (catalog.exists("SELECT 1 FROM pg_publication WHERE pubname = ?", publication)) {
            try (Statement s = db.createStatement()) {
                s.execute("DROP PUBLICATION \"" + publication + "\"");
            }
            lines.add("publication " + publication + ": dropped");
        } else {
            lines.add("publication " + publication + ": already gone");
        }
    }
}
