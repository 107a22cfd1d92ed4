package io.wallaby.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * PostgreSQL's own logical-decoding client reading a slot with pgoutput and writing every message to
 * /dev/null: the walsender's ceiling, since the client does nothing with what it reads. Not in the embedded
 * PostgreSQL bundle: it comes from the machine's PostgreSQL client tools.
 */
final class PgRecvLogical {

    static final String INSTALL_HINT = "pg_recvlogical was not found (PATH, /usr/bin, /usr/lib/postgresql/*/bin); "
            + "install the PostgreSQL client tools (Debian/Ubuntu: apt-get install postgresql-client) to get "
            + "the walsender's ceiling and the ratios to it";

    private final Path binary;

    private PgRecvLogical(Path binary) {
        this.binary = binary;
    }

    /** The pg_recvlogical on this machine, if any. */
    static Optional<PgRecvLogical> find() {
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "pg_recvlogical"));
            }
        }
        candidates.add(Path.of("/usr/bin/pg_recvlogical"));
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            versions.sorted((a, b) -> b.compareTo(a)).forEach(v -> candidates.add(v.resolve("bin/pg_recvlogical")));
        } catch (IOException e) {
            // no Debian-style PostgreSQL install
        }
        return candidates.stream().filter(Files::isExecutable).findFirst().map(PgRecvLogical::new);
    }

    /** What {@code pg_recvlogical --version} says, for the report. */
    String version() {
        try {
            Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException | InterruptedException e) {
            return binary.toString();
        }
    }

    /**
     * Reads {@code slot} (pgoutput, {@code publication}) from its confirmed position until the WAL position
     * {@code endLsn} and exits there ({@code --endpos}); returns the nanoseconds from starting the process to its
     * exit. Fails unless it exits 0 with the slot confirmed up to {@code endLsn}, i.e. having read all of it.
     */
    long drain(BenchDatabase db, String slot, String publication, String endLsn, Path logDir) throws Exception {
        Files.createDirectories(logDir);
        Path log = logDir.resolve("pg_recvlogical-" + slot + ".log");
        ProcessBuilder builder = new ProcessBuilder(binary.toString(), "-d", db.connectionString(), "--slot", slot,
                "--start", "--endpos", endLsn, "--no-loop", "-o", "proto_version=1", "-o",
                "publication_names=" + publication, "--fsync-interval", "1", "--status-interval", "1",
                "-f", "/dev/null")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        long start = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("pg_recvlogical did not reach " + endLsn + " within 10 minutes; see " + log);
        }
        long nanos = System.nanoTime() - start;
        if (process.exitValue() != 0 || !db.slotConfirmedPast(slot, endLsn)) {
            throw new IllegalStateException("pg_recvlogical exited with " + process.exitValue() + " before slot "
                    + slot + " was confirmed up to " + endLsn + ": " + Files.readString(log).trim());
        }
        return nanos;
    }
}
