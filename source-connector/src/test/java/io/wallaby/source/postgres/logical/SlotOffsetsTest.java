package io.wallaby.source.postgres.logical;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SlotOffsets} against a real (embedded) PostgreSQL: what a recorded position may be replaced by. */
class SlotOffsetsTest {

    private static LogicalPostgres pg;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = LogicalPostgres.start();
        try (Connection db = pg.connect()) {
            SlotOffsets.install(db);
        }
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    private static SlotPosition recorded(Connection db, String stream) throws Exception {
        return SlotOffsets.read(db, stream).orElseThrow().position();
    }

    /**
     * While an instance hands its stream over to a standby both record for a moment; the one leaving may
     * write last. Its late, older position must not replace the newer one, or the next start would read
     * from behind where the slot was confirmed.
     */
    @Test
    void aLateWriteOfAnOlderPositionNeverMovesTheRecordBack() throws Exception {
        SlotPosition older = new SlotPosition(true, 0x1000, 40, 0x1100);
        SlotPosition newer = new SlotPosition(true, 0x2000, 90, 0x2100);
        try (Connection db = pg.connect()) {
            SlotOffsets.write(db, "handover", "wallaby_handover", "wallaby_handover", older);
            assertTrue(SlotOffsets.advance(db, "handover", "wallaby_handover", "wallaby_handover", newer));
            assertFalse(SlotOffsets.advance(db, "handover", "wallaby_handover", "wallaby_handover", older),
                    "an older position is refused");
            assertEquals(newer, recorded(db, "handover"));

            SlotPosition idle = newer.withConfirmed(0x2500);
            assertTrue(SlotOffsets.advance(db, "handover", "wallaby_handover", "wallaby_handover", idle),
                    "the same message with a later confirmed position (an idle slot moving) is taken");
            assertTrue(SlotOffsets.advance(db, "handover", "wallaby_handover", "wallaby_handover", idle),
                    "writing the same position again is harmless");
            assertEquals(idle, recorded(db, "handover"));
        }
    }

    @Test
    void aNewStreamIsRecordedByItsFirstAdvanceAndAnotherSlotsRowIsNeverTouched() throws Exception {
        SlotPosition first = new SlotPosition(false, 0, 0, 0x3000);
        try (Connection db = pg.connect()) {
            assertTrue(SlotOffsets.advance(db, "fresh", "wallaby_fresh", "wallaby_fresh", first));
            assertEquals(first, recorded(db, "fresh"));
            assertFalse(SlotOffsets.advance(db, "fresh", "wallaby_other", "wallaby_other",
                    new SlotPosition(true, 0x4000, 5, 0x4100)), "a row is advanced only by a capture of its own slot");
            assertEquals("wallaby_fresh", SlotOffsets.read(db, "fresh").orElseThrow().slot());
        }
    }
}
