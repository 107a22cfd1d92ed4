package io.wallaby.connector.postgres;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionStringTest {

    @Test
    void libpqKeywordValue() {
        ConnectionString c = ConnectionString.parse("dbname=test user=postgres password=secret host=db.local port=5433");
        assertEquals("jdbc:postgresql://db.local:5433/test", c.jdbcUrl());
        assertEquals("postgres", c.properties().getProperty("user"));
        assertEquals("secret", c.properties().getProperty("password"));
        assertEquals(2, c.properties().size());
    }

    @Test
    void libpqDefaultsQuotingAndEscapes() {
        ConnectionString c = ConnectionString.parse("user=me password='it\\'s a \\\\secret' sslmode=require");
        // libpq: the database defaults to the user name, the host to localhost, the port to 5432.
        assertEquals("jdbc:postgresql://localhost:5432/me", c.jdbcUrl());
        assertEquals("require", c.properties().getProperty("sslmode"));
        assertEquals("it's a \\secret", c.properties().getProperty("password"));
        ConnectionString quoted = ConnectionString.parse("dbname = test password='a b\\'c'");
        assertEquals("a b'c", quoted.properties().getProperty("password"));
    }

    @Test
    void uriWithUserPasswordAndParameters() {
        ConnectionString c = ConnectionString.parse("postgresql://alice:p%40ss%3Aword@pg.example:6543/shop?sslmode=disable&application_name=wallaby");
        assertEquals("jdbc:postgresql://pg.example:6543/shop", c.jdbcUrl());
        assertEquals("alice", c.user());
        assertEquals("p@ss:word", c.properties().getProperty("password"));
        assertEquals("disable", c.properties().getProperty("sslmode"));
        assertEquals("wallaby", c.properties().getProperty("ApplicationName"));
        assertEquals("jdbc:postgresql://localhost:5432/postgres", ConnectionString.parse("postgres://localhost").jdbcUrl());
    }

    @Test
    void jdbcUrlKeepsThePasswordOutOfTheUrl() {
        ConnectionString c = ConnectionString.parse("jdbc:postgresql://127.0.0.1:5432/test?user=bob&password=hunter2&reWriteBatchedInserts=true");
        assertEquals("jdbc:postgresql://127.0.0.1:5432/test", c.jdbcUrl());
        assertEquals("bob", c.user());
        assertEquals("hunter2", c.properties().getProperty("password"));
        assertEquals("true", c.properties().getProperty("reWriteBatchedInserts"));
    }

    @Test
    void toStringNeverShowsThePassword() {
        for (String text : new String[] {"user=u password=topsecret", "postgresql://u:topsecret@h/db",
                "jdbc:postgresql://h/db?user=u&password=topsecret"}) {
            ConnectionString c = ConnectionString.parse(text);
            assertFalse(c.toString().contains("topsecret"), c.toString());
            assertFalse(c.jdbcUrl().contains("topsecret"), c.jdbcUrl());
        }
        assertNull(ConnectionString.parse("host=h").user());
    }

    @Test
    void badInputSaysWhatIsWrongAndWhatIsAccepted() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> ConnectionString.parse("dbname=test usr=postgres"));
        assertTrue(unknown.getMessage().contains("'usr' is not a libpq connection keyword"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("postgresql://"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConnectionString.parse(""));
        assertThrows(IllegalArgumentException.class, () -> ConnectionString.parse("mysql://h/db"));
        assertThrows(IllegalArgumentException.class, () -> ConnectionString.parse("host=h port=abc"));
        assertThrows(IllegalArgumentException.class, () -> ConnectionString.parse("dbname"));
        assertThrows(IllegalArgumentException.class, () -> ConnectionString.parse("password='unterminated"));
        IllegalArgumentException badUri = assertThrows(IllegalArgumentException.class,
                () -> ConnectionString.parse("postgresql://u:pa ss@h/db"));
        assertTrue(badUri.getMessage().contains("percent-encode"), badUri.getMessage());
        assertFalse(badUri.getMessage().contains("pa ss"), "the password must not leak into the error");
    }
}
