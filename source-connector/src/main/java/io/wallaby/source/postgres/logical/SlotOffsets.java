package io.wallaby.source.postgres.logical;


import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The table {@code wallaby.slot_offsets}: one row per logical stream, holding its {@link SlotPosition} and
 * the slot and publication it reads. One small row written at most a few times a second, never one per
 * captured change. It is what makes message ids survive restarts: ids count the changes in commit order,
 * and the row says which id the last recorded transaction ended on.
 */
final class SlotOffsets {

    static final String TABLE = "CREATE TABLE IF NOT EXISTS wallaby.slot_offsets (stream text PRIMARY KEY, "
            + "slot text NOT NULL, publication text NOT NULL, snapshot_done boolean NOT NULL, "
            + "commit_lsn pg_lsn NOT NULL, message_id bigint NOT NULL, confirmed_lsn pg_lsn NOT NULL, "
            + "updated_at timestamptz NOT NULL DEFAULT now())";

    /** What is recorded for a stream. */
    record Recorded(String slot, String publication, SlotPosition position) { }

    private SlotOffsets() {
    }

    /** Creates the schema and table when missing; the lock serialises this with other installers. */
    static void install(Connection db) throws SQLException {
        boolean autoCommit = db.getAutoCommit();
        db.setAutoCommit(false);
        try (Statement s = db.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(hashtext('wallaby_capture_install'))");
            s.execute("CREATE SCHEMA IF NOT EXISTS wallaby");
            s.execute(TABLE);
            db.commit();
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(autoCommit);
        }
    }

    static Optional<Recorded> read(Connection db, String stream) throws SQLException {
        try (PreparedStatement s = db.prepareStatement("SELECT slot, publication, snapshot_done, commit_lsn::text, "
                + "message_id, confirmed_lsn::text FROM wallaby.slot_offsets WHERE stream = ?")) {
            s.setString(1, stream);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Recorded(rs.getString(1), rs.getString(2), new SlotPosition(rs.getBoolean(3),
                        lsn(rs.getString(4)), rs.getLong(5), lsn(rs.getString(6)))));
            }
        }
    }

    /** The stream that records its position for {@code slot}, other than {@code stream}, if any. */
    static Optional<String> otherStreamOf(Connection db, String slot, String stream) throws SQLException {
        try (PreparedStatement s = db.prepareStatement(
                "SELECT stream FROM wallaby.slot_offsets WHERE slot = ? AND stream <> ? LIMIT 1")) {
            s.setString(1, slot);
            s.setString(2, stream);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static final String UPSERT = "INSERT INTO wallaby.slot_offsets (stream, slot, publication, "
            + "snapshot_done, commit_lsn, message_id, confirmed_lsn) VALUES (?, ?, ?, ?, ?::pg_lsn, ?, ?::pg_lsn) "
            + "ON CONFLICT (stream) DO UPDATE SET slot = EXCLUDED.slot, publication = EXCLUDED.publication, "
            + "snapshot_done = EXCLUDED.snapshot_done, commit_lsn = EXCLUDED.commit_lsn, "
            + "message_id = EXCLUDED.message_id, confirmed_lsn = EXCLUDED.confirmed_lsn, updated_at = now()";

    /** Records {@code position} whatever was there: for a slot just made, or a stream set up anew. */
    static void write(Connection db, String stream, String slot, String publication, SlotPosition position)
            throws SQLException {
        upsert(db, UPSERT, stream, slot, publication, position);
    }

    /**
     * Records {@code position} only if it is not behind what is recorded; false when the row is further.
     * Two instances of one stream can both be recording for a moment (one handing over to a standby), and a
     * late write of the one leaving must never move the row back behind what the slot was confirmed to.
     */
    static boolean advance(Connection db, String stream, String slot, String publication, SlotPosition position)
            throws SQLException {
        return upsert(db, UPSERT + " WHERE wallaby.slot_offsets.slot = EXCLUDED.slot"
                + " AND wallaby.slot_offsets.message_id <= EXCLUDED.message_id"
                + " AND wallaby.slot_offsets.confirmed_lsn <= EXCLUDED.confirmed_lsn"
                + " AND (EXCLUDED.snapshot_done OR NOT wallaby.slot_offsets.snapshot_done)",
                stream, slot, publication, position) == 1;
    }

    private static int upsert(Connection db, String sql, String stream, String slot, String publication,
                              SlotPosition position) throws SQLException {
        try (PreparedStatement s = db.prepareStatement(sql)) {
            s.setString(1, stream);
            s.setString(2, slot);
            s.setString(3, publication);
            s.setBoolean(4, position.snapshotDone());
            s.setString(5, SlotPosition.lsn(position.commitLsn()));
            s.setLong(6, position.messageId());
            s.setString(7, SlotPosition.lsn(position.confirmedLsn()));
            return s.executeUpdate();
        }
    }

    static void delete(Connection db, String stream) throws SQLException {
        try (PreparedStatement s = db.prepareStatement("DELETE FROM wallaby.slot_offsets WHERE stream = ?")) {
            s.setString(1, stream);
            s.executeUpdate();
        }
    }

    private static long lsn(String text) {
        return Lsn.parse(text);
    }
}
