package io.wallaby.launcher;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Reads what the postgres sink wrote into {@code alert_log}, in the order it was written. */
public final class AlertLogReader {

    private AlertLogReader() {
    }

    /** The highest row id in alert_log, or 0 when the table is missing or empty. */
    public static long lastRowId(Connection connection) throws SQLException {
        if (!exists(connection)) {
            return 0;
        }
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(max(id), 0) FROM alert_log")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** How many rows came after row {@code afterRowId}. */
    public static long countAfter(Connection connection, long afterRowId) throws SQLException {
        if (!exists(connection)) {
            return 0;
        }
        try (PreparedStatement s = connection.prepareStatement("SELECT count(*) FROM alert_log WHERE id > ?")) {
            s.setLong(1, afterRowId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The alerts written after row {@code afterRowId}, in row order, at most {@code limit}. */
    public static List<String> alertsAfter(Connection connection, long afterRowId, int limit) throws SQLException {
        List<String> alerts = new ArrayList<>();
        if (!exists(connection)) {
            return alerts;
        }
        try (PreparedStatement s = connection.prepareStatement(
                "SELECT alert_log FROM alert_log WHERE id > ? ORDER BY id LIMIT ?")) {
            s.setLong(1, afterRowId);
            s.setInt(2, limit);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    alerts.add(rs.getString(1));
                }
            }
        }
        return alerts;
    }

    private static boolean exists(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT to_regclass('alert_log') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
