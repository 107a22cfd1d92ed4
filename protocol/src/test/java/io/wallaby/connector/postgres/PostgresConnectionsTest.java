package io.wallaby.connector.postgres;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

/** What each kind of connection is opened with, read without a server; the connectors' tests open them for real. */
class PostgresConnectionsTest {

    private static final ConnectionString PLAIN = ConnectionString.parse("postgresql://alice:secret@db:5433/shop");

    private static Map<Object, Object> map(Properties properties) {
        return Map.copyOf(properties);
    }

    @Test
    void aConnectionKeepsWhatTheStringSaysAndAddsItsApplicationName() {
        assertEquals(Map.of("user", "alice", "password", "secret"), map(PostgresConnections.copy(PLAIN)));
        assertEquals(Map.of("user", "alice", "password", "secret", "ApplicationName", "wallaby-source-postgres"),
                map(PostgresConnections.named(PLAIN, PostgresConnections.SOURCE)));
        ConnectionString named = ConnectionString.parse("postgresql://alice@db/shop?application_name=mine");
        assertEquals("mine", PostgresConnections.named(named, PostgresConnections.SINK).getProperty("ApplicationName"),
                "the user's application name wins");
        PostgresConnections.named(PLAIN, PostgresConnections.SOURCE);
        assertFalse(PLAIN.properties().containsKey("ApplicationName"), "the connection string is left as it was");
    }

    @Test
    void eachKindOfConnectionGetsItsProperties() {
        assertEquals(Map.of("user", "alice", "password", "secret", "ApplicationName", "wallaby-sink-postgres",
                "reWriteBatchedInserts", "true"), map(PostgresConnections.forBatchedInserts(PLAIN, PostgresConnections.SINK)));
        assertEquals(Map.of("user", "alice", "password", "secret", "ApplicationName", "wallaby-source-admin",
                "connectTimeout", "5", "socketTimeout", "10"),
                map(PostgresConnections.withTimeouts(PLAIN, PostgresConnections.SOURCE_ADMIN)));
        assertEquals("2", PostgresConnections.withTimeouts(ConnectionString.parse("host=db user=a connect_timeout=2"),
                PostgresConnections.SOURCE_ADMIN).getProperty("connectTimeout"), "the user's timeout wins");
        assertEquals(Map.of("user", "alice", "password", "secret", "ApplicationName", "wallaby-source-postgres",
                "replication", "database", "assumeMinServerVersion", "10", "preferQueryMode", "simple"),
                map(PostgresConnections.forReplication(PLAIN, PostgresConnections.SOURCE)));
        assertEquals("simple", PostgresConnections.forReplication(
                ConnectionString.parse("jdbc:postgresql://db/shop?preferQueryMode=extended"), PostgresConnections.SOURCE)
                .getProperty("preferQueryMode"), "a walsender only understands the simple protocol");
    }

    @Test
    void aServerThatCannotBeUsedIsNamedWithoutThePassword() {
        assertEquals("PostgreSQL at jdbc:postgresql://db:5433/shop as alice", PostgresConnections.describe(PLAIN));
        assertEquals("PostgreSQL at jdbc:postgresql://localhost:5432/shop",
                PostgresConnections.describe(ConnectionString.parse("jdbc:postgresql://localhost/shop")));
        SQLException refused = new SQLException("Connection refused.");
        IllegalStateException e = PostgresConnections.failure("connect to", PLAIN, refused,
                "that the user and password are right");
        assertEquals("cannot connect to PostgreSQL at jdbc:postgresql://db:5433/shop as alice: Connection refused.; "
                + "check --connection, that the server runs and that the user and password are right", e.getMessage());
        assertSame(refused, e.getCause());
    }
}
