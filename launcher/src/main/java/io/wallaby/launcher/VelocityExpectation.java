package io.wallaby.launcher;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The alerts velocity_alerts must give for the rows of {@code transactions}, worked out by PostgreSQL alone
 * (no code of the engine's), so that the demo and the tests can say whether alert_log holds exactly them.
 *
 * <p>Per account and tumbling window aligned to the epoch ({@code date_bin}), the sum of the withdrawals
 * (amounts below 0); an alert when it is below {@code -threshold}, worded as the application words it. Only
 * rows before {@code closedBefore} count: the caller's rows that close the windows sit there, and their own
 * window never closes.
 */
public final class VelocityExpectation {

    // Start and end printed by PostgreSQL in UTC, to the second, as ISO-8601 (2026-12-01T18:00:00Z).
    private static final String QUERY = "SELECT account, sum(amount), "
            + "to_char(w AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
            + "to_char((w + make_interval(secs => ?)) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
            + "FROM (SELECT account, amount, date_bin(make_interval(secs => ?), created_at, timestamptz 'epoch') AS w "
            + "      FROM transactions WHERE id > ? AND created_at < ? AND account IS NOT NULL AND amount < 0) AS t "
            + "GROUP BY account, w HAVING sum(amount) < ? ORDER BY w, account";

    private VelocityExpectation() {
    }

    /**
     * The expected alerts, ordered by window and account.
     *
     * @param afterId      only rows whose id is above this count (0: every row)
     * @param closedBefore only rows created before this instant count
     */
    public static List<String> alerts(Connection db, VelocitySettings settings, long afterId, Instant closedBefore)
            throws SQLException {
        List<String> alerts = new ArrayList<>();
        try (PreparedStatement s = db.prepareStatement(QUERY)) {
            s.setLong(1, settings.window().toSeconds());
            s.setLong(2, settings.window().toSeconds());
            s.setLong(3, afterId);
            s.setObject(4, OffsetDateTime.ofInstant(closedBefore, ZoneOffset.UTC));
            s.setBigDecimal(5, BigDecimal.valueOf(settings.threshold()).negate());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    // The application prints the sum as alert_stateless prints amounts: no trailing zeros.
                    alerts.add("Velocity Alert for account " + rs.getLong(1) + ": "
                            + rs.getBigDecimal(2).stripTrailingZeros().toPlainString() + " withdrawn in ["
                            + rs.getString(3) + ", " + rs.getString(4) + ")");
                }
            }
        }
        return alerts;
    }
}
