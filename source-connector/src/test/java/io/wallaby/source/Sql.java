package io.wallaby.source;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A test's plain SQL against one database: statements, single values, and waiting for a condition. */
record Sql(String url) {

    void execute(String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /** The first column of the first row as text, or null when there is no row. */
    String text(String query) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(query)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** The first column of the first row as a number, or -1 when there is no row. */
    long number(String query) throws SQLException {
        String value = text(query);
        return value == null ? -1 : Long.parseLong(value);
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls {@code condition} until it holds; fails after 30 s, naming {@code what}. */
    static void await(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.holds()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(20);
        }
    }

    /** Waits until the replication slot is active: the source is streaming from it. */
    void awaitSlotActive(String slot) throws Exception {
        await("slot " + slot + " is active", () -> "t".equals(text(
                "SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")));
    }
}
