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
 * 2. PostgreSQL's own limit: the transaction load inserted into {@code transactions} with no pipeline
 * running, once with the postgres source's capture trigger installed and once without it. Nothing
 * downstream can go faster than the figure with the trigger.
 */
final class PostgresLimitScenario implements Scenario {

    static final String KEY = "postgres";
    static final String SHARED_WITH_TRIGGER = "postgres.withTrigger";
    private static final Logger log = LoggerFactory.getLogger(PostgresLimitScenario.class);
    private static final int DEFAULT_ROWS = 200_000;

    @Override
    public String key() {
        return KEY;
    }

    @Override
    public String title() {
        return "2. PostgreSQL limit";
    }

    @Override
    public List<Figure> run(BenchContext context) throws Exception {
        int rows = context.rows(DEFAULT_ROWS);
        TransactionLoad load = TransactionLoad.generated(0, rows);
        List<Double> withTrigger = new ArrayList<>();
        List<Double> withoutTrigger = new ArrayList<>();
        List<Double> ratio = new ArrayList<>();
        try (BenchDatabase db = BenchDatabase.plain()) {
            installRealTrigger(context, db);
            context.note("Capture measured: " + describeCapture(db));
            for (int run = 1; run <= context.runs(); run++) {
                double with = insertRate(db, load, true);
                double without = insertRate(db, load, false);
                withTrigger.add(with);
                withoutTrigger.add(without);
                ratio.add(with / without);
                log.info("postgres limit run {}: {} rows/s with the trigger, {} without", run,
                        String.format("%.0f", with), String.format("%.0f", without));
            }
        }
        context.share(SHARED_WITH_TRIGGER, withTrigger);
        context.note("PostgreSQL limit: " + rows + " rows a run, " + TransactionLoad.WRITERS + " writers, multi-row "
                + "INSERTs of " + TransactionLoad.ROWS_PER_COMMIT + " rows a commit, no pipeline running. The trigger "
                + "is the one the postgres source installs (started once with --create-table, then stopped); "
                + "'without' disables the table's user triggers. The table (and the wallaby schema's capture table, "
                + "if any) is truncated before each measurement.");
        return List.of(
                Figure.of(title(), "inserts with the capture trigger", "rows/s", withTrigger),
                Figure.of(title(), "inserts without a trigger", "rows/s", withoutTrigger),
                Figure.of(title(), "with trigger / without", "ratio", ratio));
    }

    /** Runs the real postgres source once so the trigger is exactly what users get, then stops it. */
    static void installRealTrigger(BenchContext context, BenchDatabase db) throws Exception {
        try (Pieces pieces = context.pieces(KEY, 0)) {
            pieces.startEngine();
            pieces.startSource("source-postgres", "postgres", "--connection", db.connectionString(), "--create-table");
        }
    }

    /** What the postgres source installed, so the report says which capture mode its figures are for. */
    static String describeCapture(BenchDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT 'trigger ' || t.tgname || ' -> ' || p.proname FROM pg_trigger t
                       JOIN pg_proc p ON p.oid = t.tgfoid
                     WHERE t.tgrelid = 'transactions'::regclass AND NOT t.tgisinternal
                     UNION ALL
                     SELECT 'table ' || schemaname || '.' || tablename FROM pg_tables WHERE schemaname = 'wallaby'
                     """)) {
            List<String> parts = new ArrayList<>();
            while (rs.next()) {
                parts.add(rs.getString(1));
            }
            return "the postgres source's default (what --create-table installed on transactions: "
                    + (parts.isEmpty() ? "nothing" : String.join("; ", parts)) + ")";
        }
    }

    private static double insertRate(BenchDatabase db, TransactionLoad load, boolean trigger) throws Exception {
        emptyTables(db);
        db.execute("ALTER TABLE transactions " + (trigger ? "ENABLE" : "DISABLE") + " TRIGGER USER");
        try {
            long nanos = load.insertAll(db.jdbcUrl());
            return load.size() / (nanos / 1e9);
        } finally {
            db.execute("ALTER TABLE transactions ENABLE TRIGGER USER");
        }
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
