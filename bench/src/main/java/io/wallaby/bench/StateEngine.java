package io.wallaby.bench;

import io.wallaby.launcher.PieceProcess;
import io.wallaby.launcher.Pieces;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The engine of the state scenarios (8, 9, 10): velocity_alerts ({@link KeyedLoad#engineArgs}) with its state in
 * a fresh directory of the run's log folder and its admin port on, started as the launcher starts it; and what the
 * scenarios ask of it: how many messages it has processed, its pid for /proc, a kill -9 and a restart on the same
 * ports and state.
 */
final class StateEngine implements AutoCloseable {

    /**
     * The engine's heap in these scenarios, after the launcher's -Xmx256m: with 256 MiB the engine ran out of heap
     * before it held 1,000,000 keys (GC thrashing for minutes, then OutOfMemoryError).
     */
    static final String HEAP = "-Xmx512m";
    /** More JVM options for the engine only, e.g. a flight recording: {@code WALLABY_BENCH_ENGINE_JVM}. */
    static final String EXTRA_JVM_ENV = "WALLABY_BENCH_ENGINE_JVM";

    private final Pieces pieces;
    private final Path stateDir;
    private final int adminPort;
    private final List<String> extraArgs;
    private PieceProcess process;
    private long pid;
    private EngineAdmin admin;

    /**
     * @param extraArgs engine flags beyond the scenario's own, e.g. {@code --checkpoint-interval}
     */
    StateEngine(BenchContext context, String scenario, int run, String part, String... extraArgs) throws IOException {
        this.pieces = context.pieces(scenario, run, part);
        this.stateDir = context.logs(scenario, run).resolve(part).resolve("state").toAbsolutePath();
        deleteRecursively(stateDir);
        this.adminPort = Pieces.freePort();
        this.extraArgs = List.of(extraArgs);
    }

    /** Starts the engine (again, after a kill, on the same ports and state) and waits until it is ready. */
    StateEngine start() throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(KeyedLoad.engineArgs(stateDir.toString()));
        args.addAll(List.of("--admin-port", Integer.toString(adminPort)));
        args.addAll(extraArgs);
        List<String> jvm = new ArrayList<>(List.of(HEAP));
        String extra = System.getenv(EXTRA_JVM_ENV);
        if (extra != null && !extra.isBlank()) {
            jvm.addAll(List.of(extra.trim().split("\\s+")));
        }
        process = pieces.startEngine(jvm, args.toArray(String[]::new));
        pid = ProcFs.childRunning("wallaby-engine.jar");
        admin = new EngineAdmin(adminPort);
        return this;
    }

    PieceProcess process() {
        return process;
    }

    long pid() {
        return pid;
    }

    EngineAdmin admin() {
        return admin;
    }

    int sourcePort() {
        return pieces.sourcePort();
    }

    int sinkPort() {
        return pieces.sinkPort();
    }

    Path stateDir() {
        return stateDir;
    }

    /**
     * Waits until the engine has processed {@code count} messages in all; returns System.nanoTime then. Fails when
     * the count stands still for as long as {@link BenchDatabase#STALL_MILLIS}: stuck (or lost in GC), not slow.
     */
    long awaitProcessed(long count, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen;
        long last = -1;
        long movedAt = System.nanoTime();
        while ((seen = admin.processed()) < count) {
            long now = System.nanoTime();
            if (seen != last) {
                last = seen;
                movedAt = now;
            }
            if (now > deadline || now - movedAt > BenchDatabase.STALL_MILLIS * 1_000_000L || !process.isAlive()) {
                throw new IllegalStateException("the engine processed " + seen + " of " + count + " messages"
                        + (process.isAlive() ? " within " + timeout + " or stood still for "
                        + BenchDatabase.STALL_MILLIS / 1000 + " s" : " and exited") + "; see " + process.log());
            }
            Thread.sleep(2);
        }
        return System.nanoTime();
    }

    /** SIGKILL, as in a crash. */
    void kill() throws InterruptedException {
        process.kill();
    }

    /** Bytes under the state directory. */
    long stateBytesOnDisk() throws IOException {
        try (Stream<Path> files = Files.walk(stateDir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Override
    public void close() throws InterruptedException {
        pieces.close();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
