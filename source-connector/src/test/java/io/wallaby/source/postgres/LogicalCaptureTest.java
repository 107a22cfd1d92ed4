package io.wallaby.source.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ch.qos.logback.classic.Level;
import io.wallaby.connector.FakeEngine;
import io.wallaby.connector.LogLines;
import io.wallaby.protocol.Frame;
import io.wallaby.source.postgres.logical.LogicalCapture;
import io.wallaby.source.postgres.logical.LogicalPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Logical capture ({@code --capture logical}) against a real PostgreSQL 17 with {@code wal_level=logical},
 * and a test playing the engine.
 */
class LogicalCaptureTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static LogicalPostgres pg;
    private static String url;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = LogicalPostgres.start();
        url = pg.url();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    private static RunningSource start(FakeEngine engine, String stream, long enginePoint, String... flags)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("--connection", url, "--capture", "logical", "--engine-port",
                "" + engine.port(), "--shutdown-timeout", "2s"));
        args.addAll(List.of(flags));
        return RunningSource.start(engine, stream, enginePoint, 1_000_000, args);
    }

    private static void execute(String... statements) throws SQLException {
        pg.execute(statements);
    }

    private static long number(String query) throws SQLException {
        return pg.number(query);
    }

    private static JsonNode json(Frame.Message m) throws Exception {
        return JSON.readTree(m.payload());
    }

    private static List<Frame.Message> read(FakeEngine engine, int count) throws Exception {
        List<Frame.Message> messages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            messages.add(engine.read(Frame.Message.class));
        }
        return messages;
    }

    private static void awaitSlotActive(String slot) throws Exception {
        pg.awaitSlotActive(slot);
    }

    @Test
    void sendsInsertsUpdatesAndDeletesWithExactValuesAndTheOldKey() throws Exception {
        execute("CREATE TABLE kinds (id bigserial PRIMARY KEY, amount numeric(14,2), at timestamptz, local timestamp, "
                + "ok boolean, doc jsonb, note text, ratio double precision)");
        try (FakeEngine engine = new FakeEngine()) {
            RunningSource source = start(engine, "kinds", Frame.U64_MAX, "--table", "kinds");
            awaitSlotActive("wallaby_kinds");
            execute("SET TIME ZONE 'UTC'; INSERT INTO kinds (amount, at, local, ok, doc, note, ratio) VALUES "
                    + "(1500.50, '2026-12-01 18:00:00.25+05:30', '2026-12-01 18:00:00', true, '{\"a\": [1, 2.50]}', "
                    + "'say \"hi\"\\n', 'NaN')",
                    "INSERT INTO kinds (amount) VALUES (NULL)",
                    "UPDATE kinds SET amount = -2000 WHERE id = 1",
                    "UPDATE kinds SET id = 10 WHERE id = 2",
                    "DELETE FROM kinds WHERE id = 10");
            List<Frame.Message> messages = read(engine, 5);
            for (int i = 0; i < 5; i++) {
                assertEquals(i + 1, messages.get(i).messageId(), "ids count the changes in commit order");
            }
            JsonNode insert = json(messages.get(0));
            assertEquals("c", insert.get("op").asText());
            assertEquals("public.kinds", insert.get("table").asText());
            assertTrue(insert.get("before").isNull());
            JsonNode row = insert.get("after");
            assertTrue(new String(messages.get(0).payload()).contains("\"amount\":1500.50,"),
                    "numeric keeps its exact digits as a JSON number: " + new String(messages.get(0).payload()));
            assertTrue(row.get("amount").isNumber());
            assertEquals(1, row.get("id").asLong());
            assertEquals("2026-12-01T12:30:00.25+00:00", row.get("at").asText(), "timestamptz in ISO-8601 with its offset");
            assertEquals("2026-12-01T18:00:00", row.get("local").asText());
            assertTrue(row.get("ok").asBoolean());
            assertEquals(2.50, row.get("doc").get("a").get(1).asDouble(), "jsonb is embedded as JSON");
            assertEquals("say \"hi\"\\n", row.get("note").asText());
            assertEquals("NaN", row.get("ratio").asText());
            assertTrue(json(messages.get(1)).get("after").get("amount").isNull(), "NULL is null");

            JsonNode update = json(messages.get(2));
            assertEquals("u", update.get("op").asText());
            assertTrue(new String(messages.get(2).payload()).contains("\"amount\":-2000.00,"));
            assertTrue(update.get("before").isNull(), "the key did not change: PostgreSQL sends no old values");
            JsonNode keyChange = json(messages.get(3));
            assertEquals(2, keyChange.get("before").get("id").asLong(), "the old key when the key changed");
            assertEquals(1, keyChange.get("before").size(), "REPLICA IDENTITY DEFAULT: only the key");
            JsonNode delete = json(messages.get(4));
            assertEquals("d", delete.get("op").asText());
            assertEquals(10, delete.get("before").get("id").asLong());
            assertFalse(delete.has("after"));
            source.stopAcknowledging(engine, 5);
        }
        assertEquals(5, number("SELECT message_id FROM wallaby.slot_offsets WHERE stream = 'kinds'"));
    }

    @Test
    void replicaIdentityFullSendsTheWholeOldRowAndUnchangedToastIsMarkedNotNull() throws Exception {
        execute("CREATE TABLE docs (id int PRIMARY KEY, title text, body text)",
                "ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL",
                "CREATE TABLE full_rows (id int PRIMARY KEY, v text)", "ALTER TABLE full_rows REPLICA IDENTITY FULL");
        try (FakeEngine engine = new FakeEngine()) {
            RunningSource source = start(engine, "both", Frame.U64_MAX, "--table", "docs,full_rows", "--stream", "both");
            awaitSlotActive(PostgresSourceCommand.derivedName("both"));
            String big = "x".repeat(100_000);
            execute("INSERT INTO docs VALUES (1, 'a', '" + big + "')", "UPDATE docs SET title = 'b' WHERE id = 1",
                    "INSERT INTO full_rows VALUES (1, 'old')", "UPDATE full_rows SET v = 'new'");
            List<Frame.Message> messages = read(engine, 4);
            assertEquals(big, json(messages.get(0)).get("after").get("body").asText());
            JsonNode update = json(messages.get(1));
            assertEquals("b", update.get("after").get("title").asText());
            assertFalse(update.get("after").has("body"), "an unchanged TOASTed value is left out, never null");
            assertEquals("body", update.get("unchanged").get(0).asText());
            JsonNode full = json(messages.get(3));
            assertEquals("old", full.get("before").get("v").asText(), "REPLICA IDENTITY FULL: the whole old row");
            source.stopAcknowledging(engine, 4);
        }
    }

    @Test
    void restartsWithTheSameIdsInsideMultiRowInsertsAndCopies() throws Exception {
        execute("CREATE TABLE shared_lsn (id bigserial PRIMARY KEY, amount numeric(14,2) NOT NULL)");
        List<String> first = new ArrayList<>();
        try (FakeEngine engine = new FakeEngine()) {
            RunningSource source = start(engine, "shared_lsn", Frame.U64_MAX, "--table", "shared_lsn");
            awaitSlotActive("wallaby_shared_lsn");
            execute("INSERT INTO shared_lsn (amount) SELECT g FROM generate_series(1, 50) g");
            try (Connection c = DriverManager.getConnection(url)) {
                StringBuilder rows = new StringBuilder();
                for (int i = 51; i <= 100; i++) {
                    rows.append(i).append('\n');
                }
                c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY shared_lsn (amount) FROM STDIN",
                        new StringReader(rows.toString()));
            }
            for (Frame.Message m : read(engine, 100)) {
                first.add(new String(m.payload()));
            }
            // The engine acknowledges into the middle of the COPY, then the connector goes away.
            engine.send(new Frame.Ack(10, List.of(new Frame.StreamPoint(source.streamId(), 75))));
            source.stopUnacknowledged();
        }
        assertEquals(50, number("SELECT message_id FROM wallaby.slot_offsets WHERE stream = 'shared_lsn'"),
                "only whole transactions are recorded: the COPY is not done");
        try (FakeEngine engine = new FakeEngine()) {
            RunningSource again = start(engine, "shared_lsn", 75, "--table", "shared_lsn");
            for (Frame.Message m : read(engine, 25)) {
                assertEquals(first.get((int) m.messageId() - 1), new String(m.payload()),
                        "message " + m.messageId() + " has the id and content it had before");
                assertTrue(m.messageId() > 75);
            }
            again.stopAcknowledging(engine, 100);
        }
        assertEquals(100, number("SELECT message_id FROM wallaby.slot_offsets WHERE stream = 'shared_lsn'"));
    }

    @Test
    void aSnapshotAndTheStreamMeetWithoutGapOrOverlapUnderConcurrentWriters() throws Exception {
        execute("CREATE TABLE busy (id bigserial PRIMARY KEY, amount numeric(14,2) NOT NULL)",
                "INSERT INTO busy (amount) SELECT g FROM generate_series(1, 20000) g");
        CompletableFuture<Void> writers = CompletableFuture.runAsync(() -> {
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                for (int i = 0; i < 300; i++) {
                    s.execute("INSERT INTO busy (amount) VALUES (1), (2)");
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        try (FakeEngine engine = new FakeEngine()) {
            RunningSource source = start(engine, "busy", Frame.U64_MAX, "--table", "busy", "--snapshot", "initial");
            writers.get(60, TimeUnit.SECONDS);
            long rows = number("SELECT count(*) FROM busy");
            List<Long> ids = new ArrayList<>();
            List<Long> snapshotIds = new ArrayList<>();
            for (Frame.Message m : read(engine, (int) rows)) {
                ids.add(json(m).get("after").get("id").asLong());
                if ("r".equals(json(m).get("op").asText())) {
                    snapshotIds.add(ids.get(ids.size() - 1));
                }
                assertEquals(ids.size(), m.messageId());
            }
            assertTrue(snapshotIds.size() >= 20_000, "the rows there before the slot come as snapshot reads");
            for (int i = 1; i < snapshotIds.size(); i++) {
                long before = snapshotIds.get(i - 1);
                long after = snapshotIds.get(i);
                assertTrue(before < after, () -> "snapshot rows in key order, not text order: " + before + " then " + after);
            }
            assertEquals(rows, ids.stream().distinct().count(), "no row twice");
            assertEquals(rows, ids.stream().mapToLong(Long::longValue).max().orElse(0), "no row missing");
            assertTrue(engine.silentFor(300), "nothing beyond the rows");
            source.stopAcknowledging(engine, rows);
        }
        assertEquals(1, number("SELECT count(*) FROM wallaby.slot_offsets WHERE stream = 'busy' AND snapshot_done"));
    }

    @Test
    void oneTransactionOfAHundredThousandRows() throws Exception {
        execute("CREATE TABLE large (id bigserial PRIMARY KEY, amount numeric(14,2) NOT NULL)");
        try (FakeEngine engine = new FakeEngine()) {
            RunningSource source = start(engine, "large", Frame.U64_MAX, "--table", "large");
            awaitSlotActive("wallaby_large");
            execute("INSERT INTO large (amount) SELECT g FROM generate_series(1, 100000) g");
            long last = 0;
            for (int i = 0; i < 100_000; i++) {
                Frame.Message m = engine.read(Frame.Message.class);
                assertEquals(last + 1, m.messageId());
                last = m.messageId();
                if (last % 20_000 == 0) { // the connector keeps at most 100,000 unacknowledged
                    engine.send(new Frame.Ack(100_000, List.of(new Frame.StreamPoint(source.streamId(), last))));
                }
            }
            source.stopAcknowledging(engine, 100_000);
        }
        assertEquals(100_000, number("SELECT message_id FROM wallaby.slot_offsets WHERE stream = 'large'"));
        assertEquals(1, number("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'wallaby_large' "
                + "AND confirmed_flush_lsn >= (SELECT confirmed_lsn FROM wallaby.slot_offsets WHERE stream = 'large')"),
                "the slot was confirmed up to the recorded position before the connector stopped");
    }

    @Test
    void aLostReplicationConnectionIsReadAgainWithTheSameIds() throws Exception {
        execute("CREATE TABLE cut (id bigserial PRIMARY KEY, amount numeric(14,2) NOT NULL)");
        try (FakeEngine engine = new FakeEngine()) {
            RunningSource source = start(engine, "cut", Frame.U64_MAX, "--table", "cut");
            awaitSlotActive("wallaby_cut");
            execute("INSERT INTO cut (amount) VALUES (1), (2)", "INSERT INTO cut (amount) VALUES (3)");
            assertEquals(List.of(1L, 2L, 3L), read(engine, 3).stream().map(Frame.Message::messageId).toList());
            execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'wallaby_cut'");
            execute("INSERT INTO cut (amount) VALUES (4)");
            Frame.Message fourth = engine.read(Frame.Message.class);
            assertEquals(4, fourth.messageId(), "read again from the recorded position, nothing sent twice");
            assertEquals(4, json(fourth).get("after").get("amount").asInt());
            source.stopAcknowledging(engine, 4);
        }
    }

    @Test
    void aSecondInstanceWaitsAsAStandbyAndTakesOverWithTheNextIds() throws Exception {
        execute("CREATE TABLE standby (id bigserial PRIMARY KEY, amount numeric(14,2) NOT NULL)");
        try (FakeEngine engine = new FakeEngine(); FakeEngine second = new FakeEngine()) {
            RunningSource active = start(engine, "standby", Frame.U64_MAX, "--table", "standby");
            awaitSlotActive("wallaby_standby");
            execute("INSERT INTO standby (amount) VALUES (1), (2)");
            read(engine, 2);
            active.stopAcknowledging(engine, 2);
            RunningSource next = start(second, "standby", 2, "--table", "standby");
            execute("INSERT INTO standby (amount) VALUES (3)");
            Frame.Message third = second.read(Frame.Message.class);
            assertEquals(3, third.messageId());
            next.stopAcknowledging(second, 3);
        }
    }

    /**
     * The race behind a fault-suite loss: a standby is let in as soon as the engine acknowledged the active
     * instance's last message, and may read the recorded position before that instance records (and
     * confirms to the slot) its last acknowledgement. The slot then stands past what the standby read; the
     * standby must read from the newer recorded position, not count ids from the older one (which would give
     * the next changes ids the engine already has, and lose them).
     */
    @Test
    void aStandbyThatReadTheRecordedPositionTooEarlyStillGivesTheNextChangesTheNextIds() throws Exception {
        execute("CREATE TABLE handover (id bigserial PRIMARY KEY, amount numeric(14,2) NOT NULL)");
        try (LogLines captureLog = new LogLines(LogicalCapture.class); FakeEngine engine = new FakeEngine();
             FakeEngine second = new FakeEngine(); Connection locker = DriverManager.getConnection(url)) {
            RunningSource active = start(engine, "handover", Frame.U64_MAX, "--table", "handover");
            awaitSlotActive("wallaby_handover");
            execute("INSERT INTO handover (amount) VALUES (1), (2)");
            read(engine, 2);
            engine.send(new Frame.Ack(10, List.of(new Frame.StreamPoint(active.streamId(), 2))));
            LogicalPostgres.await("message 2 is recorded", Duration.ofSeconds(30), () ->
                    number("SELECT message_id FROM wallaby.slot_offsets WHERE stream = 'handover'") == 2);

            // The active instance's next record waits on this row lock, as if it were a little slower.
            locker.setAutoCommit(false);
            locker.createStatement().execute("SELECT 1 FROM wallaby.slot_offsets WHERE stream = 'handover' FOR UPDATE");
            execute("INSERT INTO handover (amount) VALUES (3), (4), (5)");
            read(engine, 3);
            engine.send(new Frame.Ack(10, List.of(new Frame.StreamPoint(active.streamId(), 5))));

            // The engine has acknowledged 5 and lets the standby in; it reads the recorded message 2.
            RunningSource standby = start(second, "handover", 5, "--table", "handover");
            LogicalPostgres.await("the standby read its start position", Duration.ofSeconds(30), () ->
                    captureLog.messages().stream().filter(m -> m.startsWith("ready:")).count() == 2);
            locker.commit(); // the active instance records 5 and, on stopping, confirms the slot past it
            active.stopAcknowledging(engine, 5);

            execute("INSERT INTO handover (amount) VALUES (6)");
            Frame.Message next = second.read(Frame.Message.class);
            assertEquals(6, next.messageId(), "the standby numbers on from what the active instance recorded");
            assertEquals(6, json(next).get("after").get("amount").asInt());
            standby.stopAcknowledging(second, 6);
        }
        assertEquals(6, number("SELECT message_id FROM wallaby.slot_offsets WHERE stream = 'handover'"));
    }

    /**
     * While the connector is away from the engine, a standby instance takes its stream. Waiting as a standby
     * itself while still holding the slot would keep the new owner from reading: both would wait forever.
     * So the capture lets go of the slot, waits as a standby, and when the stream comes back starts over
     * from what is recorded, skipping what the other instance delivered.
     */
    @Test
    void aStreamTakenOverWhileTheEngineWasAwayLetsGoOfTheSlotAndStartsOverAsAStandby() throws Exception {
        execute("CREATE TABLE takeover (id bigserial PRIMARY KEY, amount numeric(14,2) NOT NULL)");
        try (FakeEngine engine = new FakeEngine()) {
            RunningSource source = start(engine, "takeover", Frame.U64_MAX, "--table", "takeover");
            awaitSlotActive("wallaby_takeover");
            execute("INSERT INTO takeover (amount) VALUES (1), (2)");
            read(engine, 2);
            engine.send(new Frame.Ack(10, List.of(new Frame.StreamPoint(source.streamId(), 2))));
            LogicalPostgres.await("message 2 is recorded", Duration.ofSeconds(30), () ->
                    number("SELECT message_id FROM wallaby.slot_offsets WHERE stream = 'takeover'") == 2);
            execute("INSERT INTO takeover (amount) VALUES (3)");
            assertEquals(3, engine.read(Frame.Message.class).messageId());

            engine.dropConnection(); // the connector reconnects; meanwhile another instance took the stream
            engine.acceptAndOk(1_000_000);
            assertEquals(2, engine.read(Frame.Notify.class).pointOfReference());
            engine.send(new Frame.NotifyAck(false, source.streamId(), Frame.U64_MAX));
            LogicalPostgres.await("the slot is let go", Duration.ofSeconds(30), () ->
                    "f".equals(pg.text("SELECT active FROM pg_replication_slots WHERE slot_name = 'wallaby_takeover'")));

            // The other instance delivered message 3 and went away: the stream comes back at 3.
            assertEquals(new Frame.Notify(source.streamId(), "takeover", Frame.U64_MAX), engine.read(Frame.Notify.class));
            engine.send(new Frame.NotifyAck(true, source.streamId(), 3));
            execute("INSERT INTO takeover (amount) VALUES (4)");
            Frame.Message fourth = engine.read(Frame.Message.class);
            assertEquals(4, fourth.messageId(), "message 3 is not sent again; the next change is 4");
            assertEquals(4, json(fourth).get("after").get("amount").asInt());
            source.stopAcknowledging(engine, 4);
        }
        assertEquals(4, number("SELECT message_id FROM wallaby.slot_offsets WHERE stream = 'takeover'"));
    }

    /**
     * A server that shuts down waits for its logical walsender, which waits for this reader. The reader lets go
     * of the slot when the recorder sees the server go, even while it is held back by a slow engine (its
     * hand-off queue full, not reading), and reads on afterwards without losing or repeating a change.
     */
    @Test
    void theReaderLetsGoOfTheSlotForAServerGoingDownEvenWhileTheEngineHoldsItBack() throws Exception {
        execute("CREATE TABLE held (id bigserial PRIMARY KEY, amount numeric(14,2) NOT NULL)");
        // "held back" is a debug line.
        try (LogLines readerLog = new LogLines("io.wallaby.source.postgres.logical.LogicalReader", Level.DEBUG);
             FakeEngine engine = new FakeEngine()) {
            List<String> args = new ArrayList<>(List.of("--connection", url, "--capture", "logical", "--engine-port",
                    "" + engine.port(), "--shutdown-timeout", "2s", "--table", "held"));
            RunningSource source = RunningSource.start(engine, "held", Frame.U64_MAX, 10, args); // 9 messages' credit
            awaitSlotActive("wallaby_held");
            execute("INSERT INTO held (amount) SELECT g FROM generate_series(1, 30000) g");
            read(engine, 9);
            readerLog.await(m -> m.startsWith("held back:"));
            // What the recorder sees when the server shuts down: its session ended by the administrator.
            execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
                    + "'wallaby-source-postgres' AND backend_type = 'client backend'");
            readerLog.await(m -> m.startsWith("PostgreSQL is shutting down: letting go"));

            engine.send(new Frame.Ack(100_000, List.of(new Frame.StreamPoint(source.streamId(), 9))));
            for (long id = 10; id <= 30_000; id++) {
                Frame.Message m = engine.read(Frame.Message.class);
                assertEquals(id, m.messageId(), "every change once, in order");
                if (id % 20_000 == 0) {
                    engine.send(new Frame.Ack(100_000, List.of(new Frame.StreamPoint(source.streamId(), id))));
                }
            }
            source.stopAcknowledging(engine, 30_000);
        }
        assertEquals(30_000, number("SELECT message_id FROM wallaby.slot_offsets WHERE stream = 'held'"));
    }

    @Test
    void anInvalidatedSlotStopsCaptureWithAClearError() throws Exception {
        execute("CREATE TABLE doomed (id bigserial PRIMARY KEY, amount numeric(14,2) NOT NULL)");
        try (FakeEngine engine = new FakeEngine()) {
            RunningSource source = start(engine, "doomed", Frame.U64_MAX, "--table", "doomed");
            awaitSlotActive("wallaby_doomed");
            execute("INSERT INTO doomed (amount) VALUES (1)");
            read(engine, 1);
            source.stopUnacknowledged();
        }
        try {
            execute("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'", "SELECT pg_reload_conf()");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (number("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'wallaby_doomed' "
                    + "AND wal_status = 'lost'") != 1) {
                assertTrue(System.nanoTime() < deadline, "the slot was never invalidated");
                execute("CREATE TEMP TABLE filler AS SELECT g, repeat('y', 200) FROM generate_series(1, 20000) g",
                        "SELECT pg_switch_wal()", "CHECKPOINT");
            }
        } finally {
            execute("ALTER SYSTEM RESET max_slot_wal_keep_size", "SELECT pg_reload_conf()");
        }
        try (FakeEngine engine = new FakeEngine()) {
            RunningSource source = start(engine, "doomed", 0, "--table", "doomed");
            String message = source.failure(engine); // nothing is sent: the stream is closed at once
            assertTrue(message.contains("invalidated") && message.contains("--uninstall"), message);
        }
    }
}
