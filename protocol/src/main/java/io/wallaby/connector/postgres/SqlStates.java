package io.wallaby.connector.postgres;

import io.wallaby.connector.Backoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** What a PostgreSQL error's SQLSTATE says about trying again, and trying again while it says so. */
public final class SqlStates {

    private static final Logger log = LoggerFactory.getLogger(SqlStates.class);

    /** One try at work that needs the server; it cleans up after itself when it fails. */
    public interface Attempt<T> {
        T run() throws SQLException;
    }

    private SqlStates() {
    }

    /**
     * The server is away for now and a later attempt may succeed: the connection was lost or refused (class
     * 08), the server is shutting down or starting up (57P01-57P05), or it ran out of resources such as
     * connection slots (class 53).
     */
    public static boolean isTransient(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return state.startsWith("08") || state.startsWith("57P") || state.startsWith("53");
    }

    /**
     * Runs {@code attempt} until it succeeds, pausing with backoff (100 ms doubling to 5 s) after each
     * {@link #isTransient transient} failure and calling {@code whileWaiting} before each pause (to keep
     * another session alive, say).
     *
     * @return what the attempt returned, or null when {@code stopping} said so after a failure
     * @throws SQLException a failure that is not transient
     */
    public static <T> T whileUnavailable(Attempt<T> attempt, BooleanSupplier stopping, Runnable whileWaiting)
            throws SQLException, InterruptedException {
        Backoff backoff = Backoff.standard();
        while (true) {
            try {
                return attempt.run();
            } catch (SQLException e) {
                if (!isTransient(e)) {
                    throw e;
                }
                if (stopping.getAsBoolean()) {
                    return null;
                }
                log.warn("PostgreSQL is not available ({}); trying again in {} ms", e.getMessage(),
                        backoff.nextDelayMillis());
                whileWaiting.run();
                TimeUnit.MILLISECONDS.sleep(backoff.next());
            }
        }
    }
}
