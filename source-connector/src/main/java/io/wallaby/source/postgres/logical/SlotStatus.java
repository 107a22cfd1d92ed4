package io.wallaby.source.postgres.logical;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One replication slot's figures, as {@code pg_replication_slots} shows them at one moment, with the server's
 * current WAL position to measure them against. Read with one query ({@link #read}, {@link #list}) that any
 * user may run: the view is public.
 *
 * <h2>Versions</h2>
 * The view's columns grew over releases: {@code wal_status} and {@code safe_wal_size} exist since 13,
 * {@code conflicting} since 16, {@code invalidation_reason} since 17. The query never names the newer two:
 * it reads them from {@code to_jsonb(slot)}, where a column the server lacks is simply an absent key (NULL).
 * So one statement, with no catalog look-up first, works on 15, 16 and 17 alike.
 *
 * <h2>Invalidation</h2>
 * A slot whose WAL was removed ({@code max_slot_wal_keep_size} exceeded) shows {@code wal_status = 'lost'}
 * everywhere; 17 also says why in {@code invalidation_reason} ({@code wal_removed}, {@code rows_removed},
 * {@code wal_level_insufficient}; 18 adds {@code idle_timeout}, where wal_status may still read 'reserved').
 * On 16 a slot invalidated by a conflict with recovery (on a standby) has {@code conflicting = true} and is
 * reported here as {@code "conflict with recovery"}. Either way {@link #lost()} is true: the slot can never
 * be read again and must be dropped and created anew (with a fresh snapshot).
 *
 * @param name               the slot's name
 * @param plugin             its output plugin ({@code pgoutput}); null for a physical slot
 * @param database           the database a logical slot belongs to; null for a physical slot
 * @param active             whether a session is reading from it now
 * @param activePid          the pid of that session; null when not active
 * @param walStatus          {@code reserved}, {@code extended}, {@code unreserved} or {@code lost}; null when
 *                           the slot holds no WAL (never reserved)
 * @param restartLsn         the oldest WAL the slot keeps; {@link Lsn#INVALID} when it keeps none (lost)
 * @param confirmedFlushLsn  the position its consumer confirmed; {@link Lsn#INVALID} for none (or physical)
 * @param currentLsn         the server's WAL position when read ({@code pg_current_wal_lsn()}, or the
 *                           replayed position on a standby)
 * @param retainedWalBytes   WAL the slot keeps from being removed: current - restart_lsn; null when
 *                           restart_lsn is NULL
 * @param lagBytes           WAL its consumer has not confirmed: current - confirmed_flush_lsn; null when
 *                           confirmed_flush_lsn is NULL
 * @param safeWalBytes       WAL that may still be written before the slot is in danger of being lost
 *                           ({@code safe_wal_size}); null when {@code max_slot_wal_keep_size} is -1
 *                           (unlimited) or the slot is lost
 * @param invalidationReason why the server invalidated the slot, where it says (16+); null otherwise
 */
public record SlotStatus(String name, String plugin, String database, boolean active, Integer activePid,
                         String walStatus, long restartLsn, long confirmedFlushLsn, long currentLsn,
                         Long retainedWalBytes, Long lagBytes, Long safeWalBytes, String invalidationReason) {

    /** The {@code wal_status} values PostgreSQL reports, from best to worst. */
    public static final List<String> WAL_STATUSES = List.of("reserved", "extended", "unreserved", "lost");

    private static final String QUERY = "SELECT s.slot_name, s.plugin, s.database, s.active, s.active_pid, "
            + "s.wal_status, s.restart_lsn::text, s.confirmed_flush_lsn::text, w.lsn::text, "
            + "pg_wal_lsn_diff(w.lsn, s.restart_lsn)::bigint, pg_wal_lsn_diff(w.lsn, s.confirmed_flush_lsn)::bigint, "
            + "s.safe_wal_size, coalesce(to_jsonb(s) ->> 'invalidation_reason', "
            + "CASE WHEN (to_jsonb(s) ->> 'conflicting')::boolean THEN 'conflict with recovery' END) "
            + "FROM pg_replication_slots s, LATERAL (SELECT CASE WHEN pg_is_in_recovery() "
            + "THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END AS lsn) w ";

    /** The slot named {@code slot} as it is now; empty when there is no such slot. */
    public static Optional<SlotStatus> read(Connection db, String slot) throws SQLException {
        List<SlotStatus> found = query(db, "WHERE s.slot_name = ?", slot);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** Every slot whose name is {@code LIKE namePattern} (e.g. {@code wallaby%}), by name. */
    public static List<SlotStatus> list(Connection db, String namePattern) throws SQLException {
        return query(db, "WHERE s.slot_name LIKE ? ORDER BY s.slot_name", namePattern);
    }

    /**
     * Those of the slots named {@code slots} that exist, by name, in one query whatever their number (the slots of
     * a partitioned source, read together for its admin port, all against the same current position).
     */
    public static List<SlotStatus> readAll(Connection db, List<String> slots) throws SQLException {
        return query(db, "WHERE s.slot_name::text = ANY(?) ORDER BY s.slot_name",
                db.createArrayOf("text", slots.toArray()));
    }

    /** True when the slot can no longer be read: its WAL is gone or the server invalidated it. */
    public boolean lost() {
        return "lost".equals(walStatus) || invalidationReason != null;
    }

    /** {@code wal_status}, with the invalidation reason when there is one: {@code lost (wal_removed)}. */
    public String walStatusText() {
        String status = walStatus == null ? "-" : walStatus;
        return invalidationReason == null ? status : status + " (" + invalidationReason + ")";
    }

    private static List<SlotStatus> query(Connection db, String where, Object argument) throws SQLException {
        List<SlotStatus> slots = new ArrayList<>();
        try (PreparedStatement s = db.prepareStatement(QUERY + where)) {
            s.setObject(1, argument);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    slots.add(new SlotStatus(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4),
                            (Integer) rs.getObject(5), rs.getString(6), Lsn.parseNullable(rs.getString(7)),
                            Lsn.parseNullable(rs.getString(8)), Lsn.parseNullable(rs.getString(9)),
                            (Long) rs.getObject(10), (Long) rs.getObject(11), (Long) rs.getObject(12),
                            rs.getString(13)));
                }
            }
        }
        return slots;
    }
}
