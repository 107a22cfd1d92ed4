package io.wallaby.source.postgres;

import io.wallaby.source.postgres.logical.LogicalPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Uninstaller} against a real (embedded) PostgreSQL, on what the real installers put there. */
class UninstallerTest {

    private static LogicalPostgres pg;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = LogicalPostgres.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    @BeforeEach
    void startEmpty() throws Exception {
        pg.execute("DROP SCHEMA IF EXISTS wallaby CASCADE", "DROP TABLE IF EXISTS tx_a, tx_b, tx_logical CASCADE",
                "DROP VIEW IF EXISTS pending");
    }

    private record Run(int exit, String printed) {
    }

    private static Run uninstall(Uninstaller.Installation installed) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (Connection db = pg.connect()) {
            int exit = new Uninstaller(db, new PrintStream(printed, true, StandardCharsets.UTF_8)).uninstall(installed);
            assertTrue(db.getAutoCommit(), "the connection is left as it was found");
            return new Run(exit, printed.toString(StandardCharsets.UTF_8));
        }
    }

    /** Both table modes installed on one table by their own installers, rows captured and one dead letter. */
    private static void installTableCapture(String table) throws Exception {
        try (Connection db = pg.connect()) {
            new ChangeTable(table, "wallaby_" + table).install(db, true);
            new NotifyTrigger(table, "wallaby_" + table).install(db, false);
        }
        pg.execute("INSERT INTO " + table + " (amount) VALUES (1500), (20)",
                "INSERT INTO wallaby.source_offsets (stream, acked_txid, acked_seq, acked_message_id) "
                        + "VALUES ('" + table + "', '1', 1, 1)",
                "INSERT INTO wallaby.dead_letters (source, txid, seq, payload, reason) "
                        + "SELECT source, txid, seq, payload, 'too large' FROM wallaby.changes "
                        + "WHERE source = 'public." + table + "' LIMIT 1");
    }

    private static long triggers(String table) throws Exception {
        return pg.number("SELECT count(*) FROM pg_trigger WHERE tgrelid = '" + table + "'::regclass AND NOT tgisinternal");
    }

    private static boolean schemaExists() throws Exception {
        return pg.text("SELECT nspname FROM pg_namespace WHERE nspname = 'wallaby'") != null;
    }

    @Test
    void removesTheTableCaptureAndTheSchemaAndRunsTwice() throws Exception {
        installTableCapture("tx_a");
        assertEquals(2, triggers("tx_a"));
        assertEquals(2, pg.number("SELECT count(*) FROM wallaby.changes"));

        Run first = uninstall(Uninstaller.Installation.tableCapture("tx_a", List.of("tx_a"), null));
        assertEquals(Uninstaller.DONE, first.exit(), first.printed());
        assertEquals(List.of(
                "trigger wallaby_capture on public.tx_a: dropped",
                "trigger wallaby_notify_wallaby_tx_a on public.tx_a: dropped",
                "function wallaby_notify_wallaby_tx_a: dropped",
                "wallaby.changes: removed 2 row(s) of public.tx_a",
                "wallaby.dead_letters: removed 1 row(s) of public.tx_a",
                "wallaby.source_offsets: removed the position of stream 'tx_a'",
                "schema wallaby: dropped (nothing else uses it)"), first.printed().lines().toList());
        assertEquals(0, triggers("tx_a"));
        assertFalse(schemaExists());
        assertNull(pg.text("SELECT to_regprocedure('wallaby_notify_wallaby_tx_a()')"));
        assertEquals(2, pg.number("SELECT count(*) FROM tx_a"), "the user's table and rows stay");

        Run second = uninstall(Uninstaller.Installation.tableCapture("tx_a", List.of("tx_a"), null));
        assertEquals(Uninstaller.DONE, second.exit(), second.printed());
        assertEquals(List.of(
                "trigger wallaby_capture on public.tx_a: already gone",
                "trigger wallaby_notify_wallaby_tx_a on public.tx_a: already gone",
                "function wallaby_notify_wallaby_tx_a: already gone",
                "wallaby.changes: already gone",
                "wallaby.dead_letters: already gone",
                "wallaby.source_offsets: already gone",
                "schema wallaby: already gone"), second.printed().lines().toList());
    }

    @Test
    void keepsTheSchemaWhileAnotherStreamUsesIt() throws Exception {
        installTableCapture("tx_a");
        installTableCapture("tx_b");

        Run a = uninstall(Uninstaller.Installation.tableCapture("tx_a", List.of("public.tx_a"), "wallaby_tx_a"));
        assertEquals(Uninstaller.DONE, a.exit(), a.printed());
        String kept = a.printed().lines().filter(l -> l.startsWith("schema wallaby")).findFirst().orElseThrow();
        assertTrue(kept.startsWith("schema wallaby: kept, still in use: stream(s) tx_b in wallaby.source_offsets; "
                + "rows of public.tx_b in wallaby.changes; rows of public.tx_b in wallaby.dead_letters; "
                + "objects outside it depend on it: trigger wallaby_capture on table tx_b"), kept);
        assertEquals(0, triggers("tx_a"));
        // tx_b's capture still works.
        pg.execute("INSERT INTO tx_b (amount) VALUES (7)");
        assertEquals(3, pg.number("SELECT count(*) FROM wallaby.changes WHERE source = 'public.tx_b'"));

        Run b = uninstall(Uninstaller.Installation.tableCapture("tx_b", List.of("tx_b"), null));
        assertTrue(b.printed().contains("schema wallaby: dropped"), b.printed());
        assertFalse(schemaExists());
    }

    @Test
    void keepsTheSchemaWhenItHoldsOrFeedsSomethingElse() throws Exception {
        installTableCapture("tx_a");
        pg.execute("CREATE TABLE wallaby.mine (x int)", "CREATE VIEW pending AS SELECT count(*) FROM wallaby.changes");

        Run run = uninstall(Uninstaller.Installation.tableCapture("tx_a", List.of("tx_a"), null));
        assertTrue(run.printed().contains("schema wallaby: kept, still in use: objects outside it depend on it: "
                + "rule _RETURN on view pending; it holds objects no postgres source made: mine"), run.printed());
        assertTrue(schemaExists());

        pg.execute("DROP VIEW pending", "DROP TABLE wallaby.mine");
        assertTrue(uninstall(Uninstaller.Installation.tableCapture("tx_a", List.of("tx_a"), null)).printed()
                .contains("schema wallaby: dropped"));
    }

    /** What the logical capture installs: a slot, a publication and its position row. */
    private static void installLogical(String stream, String slot, String publication) throws Exception {
        pg.execute("CREATE TABLE IF NOT EXISTS tx_logical (id bigserial PRIMARY KEY, amount numeric(14,2))",
                "CREATE PUBLICATION " + publication + " FOR TABLE tx_logical",
                "CREATE SCHEMA IF NOT EXISTS wallaby",
                "CREATE TABLE IF NOT EXISTS wallaby.slot_offsets (stream text PRIMARY KEY, slot text NOT NULL, "
                        + "publication text NOT NULL, snapshot_done boolean NOT NULL, commit_lsn pg_lsn NOT NULL, "
                        + "message_id bigint NOT NULL, confirmed_lsn pg_lsn NOT NULL, "
                        + "updated_at timestamptz NOT NULL DEFAULT now())",
                "INSERT INTO wallaby.slot_offsets (stream, slot, publication, snapshot_done, commit_lsn, message_id, "
                        + "confirmed_lsn) VALUES ('" + stream + "', '" + slot + "', '" + publication + "', true, "
                        + "'0/1000', 42, '0/1000')");
        pg.createSlot(slot);
    }

    @Test
    void removesTheLogicalCaptureAndRunsTwice() throws Exception {
        installLogical("tx_logical", "wallaby_tx_logical", "wallaby_tx_logical");

        Run first = uninstall(Uninstaller.Installation.logical("tx_logical", "wallaby_tx_logical", "wallaby_tx_logical"));
        assertEquals(Uninstaller.DONE, first.exit(), first.printed());
        assertEquals(List.of(
                "replication slot wallaby_tx_logical: dropped",
                "publication wallaby_tx_logical: dropped",
                "wallaby.slot_offsets: removed the position of stream 'tx_logical'",
                "schema wallaby: dropped (nothing else uses it)"), first.printed().lines().toList());
        assertNull(pg.text("SELECT slot_name FROM pg_replication_slots WHERE slot_name = 'wallaby_tx_logical'"));
        assertNull(pg.text("SELECT pubname FROM pg_publication WHERE pubname = 'wallaby_tx_logical'"));

        Run second = uninstall(Uninstaller.Installation.logical("tx_logical", "wallaby_tx_logical", "wallaby_tx_logical"));
        assertEquals(Uninstaller.DONE, second.exit(), second.printed());
        assertEquals(List.of(
                "replication slot wallaby_tx_logical: already gone",
                "publication wallaby_tx_logical: already gone",
                "wallaby.slot_offsets: already gone",
                "schema wallaby: already gone"), second.printed().lines().toList());
    }

    @Test
    void refusesASlotInUseAndRemovesNothing() throws Exception {
        installLogical("busy", "wallaby_busy", "wallaby_busy");
        try (LogicalPostgres.Replication reader = pg.replicate("wallaby_busy", "wallaby_busy")) {
            LogicalPostgres.await("the slot to be active", Duration.ofSeconds(30), () -> "t".equals(
                    pg.text("SELECT active FROM pg_replication_slots WHERE slot_name = 'wallaby_busy'")));
            long pid = pg.number("SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'wallaby_busy'");

            Run refused = uninstall(Uninstaller.Installation.logical("busy", "wallaby_busy", "wallaby_busy"));
            assertEquals(Uninstaller.REFUSED, refused.exit(), refused.printed());
            assertEquals("replication slot wallaby_busy is in use by pid " + pid + " (wallaby-test-reader from "
                    + "127.0.0.1): stop that connector (stream 'busy') first, then run this again. "
                    + "Nothing was removed.", refused.printed().strip());
            assertEquals("wallaby_busy", pg.text("SELECT pubname FROM pg_publication WHERE pubname = 'wallaby_busy'"));
            assertEquals(1, pg.number("SELECT count(*) FROM wallaby.slot_offsets WHERE stream = 'busy'"));
            assertEquals("t", pg.text("SELECT active FROM pg_replication_slots WHERE slot_name = 'wallaby_busy'"),
                    "the reader is left alone");
        }
        LogicalPostgres.await("the slot to be released", Duration.ofSeconds(30), () -> "f".equals(
                pg.text("SELECT active FROM pg_replication_slots WHERE slot_name = 'wallaby_busy'")));
        Run done = uninstall(Uninstaller.Installation.logical("busy", "wallaby_busy", "wallaby_busy"));
        assertEquals(Uninstaller.DONE, done.exit(), done.printed());
        assertTrue(done.printed().startsWith("replication slot wallaby_busy: dropped\n"), done.printed());
    }

    @Test
    void oneStreamInEachModeShareTheSchemaUntilBothAreGone() throws Exception {
        installTableCapture("tx_a");
        installLogical("tx_logical", "wallaby_shared", "wallaby_shared");

        Run logical = uninstall(Uninstaller.Installation.logical("tx_logical", "wallaby_shared", "wallaby_shared"));
        assertTrue(logical.printed().contains("schema wallaby: kept, still in use: stream(s) tx_a in "
                + "wallaby.source_offsets"), logical.printed());
        Run table = uninstall(Uninstaller.Installation.tableCapture("tx_a", List.of("tx_a"), null));
        assertTrue(table.printed().contains("schema wallaby: dropped"), table.printed());
    }
}
