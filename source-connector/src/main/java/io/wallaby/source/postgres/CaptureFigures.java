package io.wallaby.source.postgres;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The postgres source's own figures, logged as one line per {@code --stats-interval}: the capture lag (rows
 * in {@code wallaby.changes} for this source, captured but not yet acknowledged by the engine, and the age of
 * the oldest), and the messages sent and acknowledged since the connector started. The lag is read from the
 * table rather than kept in memory so that it includes rows not sent yet (a backlog the engine has not given
 * credit for). Used from the capture thread, which calls {@link #logIfDue} between batches.
 */
final class CaptureFigures {

    private static final Logger log = LoggerFactory.getLogger(CaptureFigures.class);

    private final long intervalNanos;
    private final String source;
    private long lastLogged = System.nanoTime();
    private long sent;

    /** @param interval how often to log; zero for never */
    CaptureFigures(Duration interval, String source) {
        this.intervalNanos = interval.toNanos();
        this.source = source;
    }

    void sent(int messages) {
        sent += messages;
    }

    /**
     * Logs when the interval is over.
     *
     * @param lastSentId   the last message id sent, 0 before the first
     * @param acknowledged the highest message id the engine acknowledged, -1 before the first
     */
    void logIfDue(Connection db, long lastSentId, long acknowledged) throws SQLException {
        long now = System.nanoTime();
        if (intervalNanos == 0 || now - lastLogged < intervalNanos) {
            return;
        }
        lastLogged = now;
        try (PreparedStatement s = db.prepareStatement("SELECT count(*), "
                + "coalesce(extract(epoch FROM now() - min(captured_at)), 0) FROM wallaby.changes WHERE source = ?")) {
            s.setString(1, source);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                log.info("figures: capture lag {} change(s) not acknowledged, oldest {} s old; {} message(s) sent "
                        + "since start (last id {}), engine acknowledged up to id {}", rs.getLong(1),
                        String.format("%.1f", rs.getDouble(2)), sent, lastSentId,
                        acknowledged < 0 ? "none" : Long.toString(acknowledged));
            }
        }
    }
}
