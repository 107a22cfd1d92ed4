package io.wallaby.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code launch.sh status} against a running engine process with a source and a sink connected. */
class StatusCommandTest {

    private Pieces pieces;

    @AfterEach
    void stop() throws Exception {
        if (pieces != null) {
            pieces.close();
        }
    }

    @Test
    void printsConnectorsStreamsAndCounters() throws Exception {
        pieces = new Pieces(Path.of(".."), Path.of("target/e2e-logs/status"), 0, 0);
        int adminPort = Pieces.freePort();
        pieces.startEngine("--admin-port", Integer.toString(adminPort));
        PieceProcess sink = pieces.startSink("sink-stdout", "stdout");
        pieces.startSource("source-generator", "generator", "--count", "100");
        while (sink.lines().size() < 19) { // the first 100 generator transactions raise 19 alerts
            Thread.sleep(50);
        }

        StatusCommand status = new StatusCommand();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        status.out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        int exit = new CommandLine(status).execute("--admin", "http://127.0.0.1:" + adminPort + "/");

        String table = printed.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, table);
        assertTrue(table.contains("wallaby-sink-stdout"), table);
        assertTrue(table.contains("alert_log/generator"), table);
        assertTrue(table.matches("(?s).*Counters: 100 messages processed \\([0-9.]+/s\\),.*"
                + "outputs produced \\([0-9.]+/s\\).*"), table);
        assertTrue(table.matches("(?s).*NAME +MESSAGES IN +MSG/S +LAST ID.*\n +\\S+ +100 +[0-9.]+ .*"), table);
    }

    /**
     * With a database whose source captures by logical decoding: each stream of wallaby.slot_offsets with its
     * slot's figures (or that the slot is missing), and a wallaby slot no stream records.
     */
    @Test
    void printsTheLogicalSlots() throws Exception {
        pieces = new Pieces(Path.of(".."), Path.of("target/e2e-logs/status-logical"), 0, 0);
        int adminPort = Pieces.freePort();
        pieces.startEngine("--admin-port", Integer.toString(adminPort));
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("wal_level", "logical").start();
             Connection db = pg.getPostgresDatabase().getConnection(); Statement s = db.createStatement()) {
            s.execute("SELECT pg_create_logical_replication_slot('wallaby_transactions', 'pgoutput')");
            s.execute("SELECT pg_create_logical_replication_slot('wallaby_orphan', 'pgoutput')");
            s.execute("CREATE SCHEMA wallaby");
            s.execute("CREATE TABLE IF NOT EXISTS wallaby.slot_offsets (stream text PRIMARY KEY, slot text NOT NULL, "
                    + "publication text NOT NULL, snapshot_done boolean NOT NULL, commit_lsn pg_lsn NOT NULL, "
                    + "message_id bigint NOT NULL, confirmed_lsn pg_lsn NOT NULL, "
                    + "updated_at timestamptz NOT NULL DEFAULT now())");
            s.execute("INSERT INTO wallaby.slot_offsets SELECT 'transactions', slot_name, 'wallaby_transactions', "
                    + "true, confirmed_flush_lsn, 42, confirmed_flush_lsn, now() - interval '90 seconds' "
                    + "FROM pg_replication_slots WHERE slot_name = 'wallaby_transactions'");
            s.execute("INSERT INTO wallaby.slot_offsets VALUES ('gone', 'wallaby_gone', 'wallaby_gone', true, "
                    + "'0/16B3748', 7, '0/16B3748', now())");
            s.execute("SELECT pg_logical_emit_message(false, 'wallaby-test', repeat('x', 200000))"); // some lag
            String confirmed;
            try (ResultSet rs = s.executeQuery("SELECT confirmed_flush_lsn::text FROM pg_replication_slots "
                    + "WHERE slot_name = 'wallaby_transactions'")) {
                rs.next();
                confirmed = rs.getString(1);
            }

            StatusCommand status = new StatusCommand();
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            status.out = new PrintStream(printed, true, StandardCharsets.UTF_8);
            int exit = new CommandLine(status).execute("--admin", "http://127.0.0.1:" + adminPort + "/",
                    "--connection", "host=127.0.0.1 port=" + pg.getPort() + " dbname=postgres user=postgres");

            String table = printed.toString(StandardCharsets.UTF_8);
            assertEquals(0, exit, table);
            assertTrue(table.contains("Engine: "), table); // the engine's part is still there
            assertTrue(!table.contains("no capture table"), table); // not odd with logical slots
            assertTrue(table.matches("(?s).*\\n +SLOT +STREAM +ACTIVE +WAL STATUS +RETAINED WAL +LAG +CONFIRMED "
                    + "+ACKNOWLEDGED ID +RECORDED\\n.*"), table);
            assertTrue(table.matches("(?s).*\\n +wallaby_gone +gone +- +missing \\(no such slot\\) +- +- +0/16B3748 "
                    + "+7 +[0-9.]+ s ago\\n.*"), table);
            assertTrue(table.matches("(?s).*\\n +wallaby_transactions +transactions +no +reserved "
                    + "+[0-9.]+ (KiB|MiB) +[0-9.]+ (KiB|MiB) +" + confirmed + " +42 +9[0-9]\\.[0-9] s ago\\n.*"), table);
            assertTrue(table.matches("(?s).*\\n +wallaby_orphan +- +no +reserved +[0-9.]+ (B|KiB|MiB) "
                    + "+[0-9.]+ (B|KiB|MiB) +[0-9A-F]+/[0-9A-F]+ +- +-\\n.*"), table);
        }
    }

    @Test
    void bytesReadLikeAPersonWouldSayThem() {
        assertEquals("-", StatusCommand.bytes(null));
        assertEquals("512 B", StatusCommand.bytes(512L));
        assertEquals("195.3 KiB", StatusCommand.bytes(200_000L));
        assertEquals("16.0 MiB", StatusCommand.bytes(16L << 20));
        assertEquals("1.5 GiB", StatusCommand.bytes(3L << 29));
    }

    @Test
    void saysWhatToDoWhenTheEngineIsNotThere() throws Exception {
        int nobody = Pieces.freePort();
        assertEquals(1, new CommandLine(new StatusCommand()).execute("--admin", "http://127.0.0.1:" + nobody + "/"));
    }
}
