package io.wallaby.source.postgres.logical;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SlotStatus} against a real (embedded) PostgreSQL with logical decoding on. */
class SlotStatusTest {

    private static LogicalPostgres pg;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = LogicalPostgres.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    private static SlotStatus read(String slot) throws Exception {
        try (Connection db = pg.connect()) {
            return SlotStatus.read(db, slot).orElseThrow(() -> new AssertionError("no slot " + slot));
        }
    }

    @Test
    void aFreshSlotIsReservedInactiveAndCaughtUp() throws Exception {
        pg.createSlot("wallaby_fresh");
        SlotStatus slot = read("wallaby_fresh");
        assertEquals("wallaby_fresh", slot.name());
        assertEquals("pgoutput", slot.plugin());
        assertEquals("postgres", slot.database());
        assertFalse(slot.active());
        assertNull(slot.activePid());
        assertEquals("reserved", slot.walStatus());
        assertNull(slot.invalidationReason());
        assertFalse(slot.lost());
        assertTrue(slot.restartLsn() != Lsn.INVALID && slot.confirmedFlushLsn() >= slot.restartLsn(), slot::toString);
        assertTrue(slot.currentLsn() >= slot.confirmedFlushLsn(), slot::toString);
        assertEquals(slot.currentLsn() - slot.restartLsn(), slot.retainedWalBytes());
        assertEquals(slot.currentLsn() - slot.confirmedFlushLsn(), slot.lagBytes());
        assertNull(slot.safeWalBytes(), "max_slot_wal_keep_size is unlimited by default: " + slot);
        assertEquals(Lsn.parse(pg.text("SELECT confirmed_flush_lsn FROM pg_replication_slots "
                + "WHERE slot_name = 'wallaby_fresh'")), slot.confirmedFlushLsn());
        pg.execute("SELECT pg_drop_replication_slot('wallaby_fresh')");
    }

    @Test
    void writesShowAsLagUntilTheSlotIsAdvanced() throws Exception {
        pg.createSlot("wallaby_lag");
        SlotStatus before = read("wallaby_lag");
        pg.writeWal(2);
        SlotStatus after = read("wallaby_lag");
        assertEquals(before.confirmedFlushLsn(), after.confirmedFlushLsn());
        assertTrue(after.lagBytes() >= 2 * 1024 * 1024, after::toString);
        assertTrue(after.retainedWalBytes() >= after.lagBytes(), after::toString);

        // Confirming a position (as the capture does) takes the lag down to what was written after it.
        long advanced = Lsn.parse(pg.text("SELECT end_lsn FROM pg_replication_slot_advance('wallaby_lag', "
                + "pg_current_wal_lsn())"));
        SlotStatus confirmed = read("wallaby_lag");
        assertEquals(advanced, confirmed.confirmedFlushLsn());
        assertEquals(confirmed.currentLsn() - advanced, confirmed.lagBytes());
        assertTrue(confirmed.lagBytes() < after.lagBytes(), confirmed::toString);
        pg.execute("SELECT pg_drop_replication_slot('wallaby_lag')");
    }

    @Test
    void aMissingSlotIsEmpty() throws Exception {
        try (Connection db = pg.connect()) {
            assertEquals(Optional.empty(), SlotStatus.read(db, "wallaby_nobody"));
        }
    }

    @Test
    void anActiveSlotNamesItsReader() throws Exception {
        pg.execute("CREATE TABLE active_t (id int)", "CREATE PUBLICATION wallaby_active_pub FOR TABLE active_t");
        pg.createSlot("wallaby_active");
        try (LogicalPostgres.Replication ignored = pg.replicate("wallaby_active", "wallaby_active_pub")) {
            LogicalPostgres.await("the slot to be active", Duration.ofSeconds(30), () -> read("wallaby_active").active());
            SlotStatus slot = read("wallaby_active");
            assertNotNull(slot.activePid());
            assertEquals(slot.activePid().longValue(), pg.number("SELECT active_pid FROM pg_replication_slots "
                    + "WHERE slot_name = 'wallaby_active'"));
        }
        LogicalPostgres.await("the slot to be released", Duration.ofSeconds(30), () -> !read("wallaby_active").active());
        pg.execute("SELECT pg_drop_replication_slot('wallaby_active')", "DROP PUBLICATION wallaby_active_pub",
                "DROP TABLE active_t");
    }

    @Test
    void listsSlotsByNamePattern() throws Exception {
        pg.createSlot("wallaby_list_b");
        pg.createSlot("wallaby_list_a");
        pg.createSlot("other_list");
        try (Connection db = pg.connect()) {
            assertEquals(List.of("wallaby_list_a", "wallaby_list_b"),
                    SlotStatus.list(db, "wallaby\\_list%").stream().map(SlotStatus::name).toList());
        }
        pg.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                + "WHERE slot_name IN ('wallaby_list_a', 'wallaby_list_b', 'other_list')");
    }

    /**
     * {@code max_slot_wal_keep_size} exceeded: checkpoints remove the WAL the slot still needs and the
     * server invalidates it. Waits on the slot's state, writing WAL and checkpointing until it is lost.
     */
    @Test
    void aSlotWhoseWalIsRemovedIsLost() throws Exception {
        pg.createSlot("wallaby_lost");
        pg.execute("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'", "SELECT pg_reload_conf()");
        try {
            LogicalPostgres.await("max_slot_wal_keep_size to take effect", Duration.ofSeconds(30),
                    () -> "1MB".equals(pg.text("SHOW max_slot_wal_keep_size")));
            LogicalPostgres.await("the slot to be lost", Duration.ofSeconds(120), () -> {
                pg.writeWal(2);
                pg.execute("SELECT pg_switch_wal()", "CHECKPOINT");
                return read("wallaby_lost").lost();
            });
            SlotStatus slot = read("wallaby_lost");
            assertEquals("lost", slot.walStatus(), slot::toString);
            assertNull(slot.safeWalBytes(), slot::toString);
            try (Connection db = pg.connect()) {
                if (db.getMetaData().getDatabaseMajorVersion() >= 17) {
                    assertEquals("wal_removed", slot.invalidationReason(), slot::toString);
                    assertEquals("lost (wal_removed)", slot.walStatusText());
                }
            }
        } finally {
            pg.execute("ALTER SYSTEM RESET max_slot_wal_keep_size", "SELECT pg_reload_conf()",
                    "SELECT pg_drop_replication_slot('wallaby_lost')");
        }
    }
}
