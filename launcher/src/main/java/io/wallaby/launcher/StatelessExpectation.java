package io.wallaby.launcher;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** What alert_stateless must have made of the committed rows of {@code transactions}, worked out in SQL and Java. */
final class StatelessExpectation {

    private StatelessExpectation() {
    }

    /** One alert per committed transaction over 1000 or under -1000, in id order; independent of the engine. */
    static List<String> alerts(Connection db) throws SQLException {
        return alerts(db, 0);
    }

    /** As {@link #alerts(Connection)}, for the transactions after id {@code afterId} only. */
    static List<String> alerts(Connection db, long afterId) throws SQLException {
        List<String> alerts = new ArrayList<>();
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, amount FROM transactions WHERE id > " + afterId + " ORDER BY id")) {
            while (rs.next()) {
                BigDecimal amount = rs.getBigDecimal(2);
                String shown = amount.stripTrailingZeros().toPlainString();
                if (amount.compareTo(BigDecimal.valueOf(1000)) > 0) {
                    alerts.add("Deposit Alert for " + rs.getLong(1) + ": " + shown);
                } else if (amount.compareTo(BigDecimal.valueOf(-1000)) < 0) {
                    alerts.add("Withdrawal Alert for " + rs.getLong(1) + ": " + shown);
                }
            }
        }
        return alerts;
    }
}
