package io.wallaby.connector.postgres;

import java.sql.SQLException;

/** What a PostgreSQL error's SQLSTATE says about trying again. */
public final class SqlStates {

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
}
