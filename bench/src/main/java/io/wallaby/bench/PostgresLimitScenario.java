package io.wallaby.bench;

import io.wallaby.launcher.Pieces;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * 2. PostgreSQL's own limit: the transaction load inserted into {@code transactions} with no pipeline running,
 * on a server with wal_level=logical: with no capture, with the table capture's trigger, and with the logical
 * capture installed (its publication and slot present, nothing reading the slot); plus no capture on a server
 * at the default wal_level=replica, which is what turning logical decoding on is measured against.
 */
final class PostgresLimitScenario extends AbstractScenario {

    static final String KEY = "postgres";
    /** Each run's insert rate with no capture on the wal_level=logical server, for scenario 3. */
    static final String SHARED_NO_CAPTURE = "postgres.noCapture";
    private static final String REPLICA = "inserts, no capture, wal_level=replica (server default)";
    private static final String NONE = "inserts, no capture";
    private static final String TRIGGER = "inserts with the table capture's trigger";
    private static final String LOGICAL = "inserts with the logical capture installed (slot not read)";
    /** What the logical capture makes for stream 'transactions', and the SQL it makes the publication with. */
    private static final String SLOT = "wallaby_transactions";
    private static final String PUBLICATION_SQL = "CREATE PUBLICATION wallaby_transactions FOR TABLE \"public\".\"transactions\"";
    private static final Logger log = LoggerFactory.getLogger(PostgresLimitScenario.class);
    private static final int DEFAULT_ROWS = 200_000;

    PostgresLimitScenario() {
        super(KEY, "2. PostgreSQL limit");
    }

    @Override
    public List<Figure> run(BenchContext context) throws Exception {
        int rows = context.rows(DEFAULT_ROWS);
        TransactionLoad load = TransactionLoad.generated(0, rows);
        PerRun r = new PerRun();
        try (BenchDatabase replica = BenchDatabase.plain(); BenchDatabase db = BenchDatabase.logical()) {
            install(context, replica, false);
            install(context, db, true);
            context.note("Capture measured in scenario 2: what the postgres source installed on the wal_level=logical "
                    + "server (" + Capture.TABLE.flags() + " --create-table, then " + Capture.LOGICAL.flags() + "): "
                    + describe(db) + ". The replica server (wal_level=" + replica.setting("wal_level")
                    + ") has the same table with its trigger disabled.");
            dropLogical(db);
            // Not measured: warms up the writers' code in this JVM, which would otherwise slow the first figure.
            insertRate(replica, load);
            for (int run = 1; run <= context.runs(); run++) {
                r.put(REPLICA, run, insertRate(replica, load));
                r.put(NONE, run, insertRate(db, load));
                db.execute("ALTER TABLE transactions ENABLE TRIGGER USER");
                r.put(TRIGGER, run, insertRate(db, load));
                db.execute("ALTER TABLE transactions DISABLE TRIGGER USER");
                db.execute(PUBLICATION_SQL);
                db.createSlot(SLOT);
                r.put(LOGICAL, run, insertRate(db, load));
                dropLogical(db);
                log.info("postgres limit run {}: rows/s {} no capture at wal_level=replica, {} no capture, {} trigger, "
                                + "{} logical installed", run, (long) r.get(REPLICA, run), (long) r.get(NONE, run),
                        (long) r.get(TRIGGER, run), (long) r.get(LOGICAL, run));
            }
        }
        context.share(SHARED_NO_CAPTURE, r.values(NONE));
        context.note("PostgreSQL limit: " + rows + " rows a measurement, " + TransactionLoad.WRITERS + " writers, "
                + "multi-row INSERTs of " + TransactionLoad.ROWS_PER_COMMIT + " rows a commit, no pipeline running, in "
                + "this order each run: no capture at wal_level=replica; then on the wal_level=logical server no "
                + "capture (user triggers disabled, no publication, no slot), the trigger (enabled), the logical "
                + "capture (the publication and a pgoutput slot made just before, as the source makes them, nobody "
                + "reading the slot; both dropped after). One unmeasured load first warms up the writers' code. Before "
                + "each measurement the tables are truncated, vacuumed and a CHECKPOINT taken.");
        return List.of(
                Figure.of(title(), REPLICA, "rows/s", r.values(REPLICA)),
                Figure.of(title(), NONE + " (wal_level=logical)", "rows/s", r.values(NONE)),
                Figure.of(title(), TRIGGER, "rows/s", r.values(TRIGGER)),
                Figure.of(title(), LOGICAL, "rows/s", r.values(LOGICAL)),
                Figure.of(title(), "trigger / no capture", "ratio", r.ratio(TRIGGER, NONE)),
                Figure.withTarget(title(), "logical installed / no capture", "ratio", r.ratio(LOGICAL, NONE),
                        "≥ 0.85", v -> v >= 0.85),
                Figure.of(title(), "logical installed / no capture at wal_level=replica", "ratio",
                        r.ratio(LOGICAL, REPLICA)));
    }

    /**
     * Runs the real postgres source so the table, trigger, publication and slot are exactly what users get: the
     * table capture (which makes the table), then on a logical server the logical capture; then stops them and
     * leaves the trigger disabled.
     */
    private static void install(BenchContext context, BenchDatabase db, boolean logical) throws Exception {
        try (Pieces pieces = context.pieces(KEY, 0, logical ? "logical-server" : "replica-server")) {
            pieces.startEngine();
            // Stopped before the logical one starts: a second source on the stream would only wait as a standby.
            Capture.TABLE.start(pieces, db, "--create-table").stop();
            if (logical) {
                Capture.LOGICAL.start(pieces, db);
            }
        }
        db.execute("ALTER TABLE transactions DISABLE TRIGGER USER");
    }

    private static void dropLogical(BenchDatabase db) throws Exception {
        db.dropSlotIfExists(SLOT);
        db.execute("DROP PUBLICATION IF EXISTS wallaby_transactions");
    }

    /** What is installed on transactions, so the report says exactly which capture its figures are for. */
    private static String describe(BenchDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT 'trigger ' || t.tgname || ' -> ' || p.proname FROM pg_trigger t
                       JOIN pg_proc p ON p.oid = t.tgfoid
                     WHERE t.tgrelid = 'transactions'::regclass AND NOT t.tgisinternal
                     UNION ALL
                     SELECT 'table ' || schemaname || '.' || tablename FROM pg_tables WHERE schemaname = 'wallaby'
                     UNION ALL
                     SELECT 'publication ' || pubname || ' of ' || schemaname || '.' || tablename
                       FROM pg_publication_tables
                     UNION ALL
                     SELECT 'slot ' || slot_name || ' (' || plugin || ')' FROM pg_replication_slots
                     """)) {
            List<String> parts = new ArrayList<>();
            while (rs.next()) {
                parts.add(rs.getString(1));
            }
            return parts.isEmpty() ? "nothing" : String.join("; ", parts);
        }
    }

    private static double insertRate(BenchDatabase db, TransactionLoad load) throws Exception {
        emptyTables(db);
        db.execute("CHECKPOINT");
        long nanos = load.insertAll(db.jdbcUrl());
        return load.size() / (nanos / 1e9);
    }

    /** Empties transactions and every table the source keeps in the wallaby schema (its capture table). */
    static void emptyTables(BenchDatabase db) throws Exception {
        db.execute("""
                DO $$
                DECLARE t record;
                BEGIN
                  EXECUTE 'TRUNCATE transactions';
                  FOR t IN SELECT schemaname, tablename FROM pg_tables WHERE schemaname = 'wallaby' LOOP
                    EXECUTE format('TRUNCATE %I.%I', t.schemaname, t.tablename);
                  END LOOP;
                END $$""");
        db.execute("VACUUM ANALYZE transactions");
    }
}
