package io.wallaby.source.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the uninstall reads of the database, on {@link Uninstaller}'s connection and in its transaction:
 * whether a relation or a row exists, and the first column of a query's rows.
 */
final class UninstallCatalog {

    private final Connection db;

    UninstallCatalog(Connection db) {
        this.db = db;
    }

    boolean relationExists(String name) throws SQLException {
        return exists("SELECT 1 WHERE to_regclass(?) IS NOT NULL", name);
    }

    boolean exists(String sql, String argument) throws SQLException {
        return !strings(sql, argument).isEmpty();
    }

    /** The first column of every row of {@code sql}, run with text arguments. */
    List<String> strings(String sql, String... arguments) throws SQLException {
        List<String> values = new ArrayList<>();
        try (PreparedStatement s = db.prepareStatement(sql)) {
            for (int i = 0; i < arguments.length; i++) {
                s.setString(i + 1, arguments[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        }
        return values;
    }
}
