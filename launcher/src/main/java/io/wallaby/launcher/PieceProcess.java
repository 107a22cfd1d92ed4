package io.wallaby.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One piece of the pipeline (the engine, a source or a sink connector) running as its own OS process,
 * {@code java -jar <jar> <args>}, as a user would start it. Everything it prints goes, line by line,
 * to a log file and into memory, so a caller can wait for a line ("ready") or read what a stdout sink
 * wrote.
 */
public final class PieceProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;
    private final List<String> lines = new ArrayList<>();

    private PieceProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code jar} with {@code args}. Standard output and standard error are merged unless
     * {@code separateStderr}, in which case only standard output is captured and standard error goes
     * to {@code <log>.err}.
     */
    /**
     * How every piece's JVM runs, as launch.sh starts them too. The serial collector: on a machine of a few
     * cores shared by PostgreSQL, the engine and both connectors, G1's parallel and concurrent GC threads
     * compete with the pipeline and its young pauses reached 45-65 ms (JFR); the serial collector's pauses
     * over a heap this small are short, and the latency benchmark's p99 at 10,000 tx/s fell from 117 ms
     * to 32 ms with it.
     */
    public static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC");

    public static PieceProcess start(String name, Path jar, List<String> args, Path logDir, boolean separateStderr)
            throws IOException {
        return start(name, jar, List.of(), args, logDir, separateStderr);
    }

    /**
     * As {@link #start(String, Path, List, Path, boolean)}, with {@code jvmOptions} after {@link #JVM_OPTIONS}
     * (a later {@code -Xmx} wins): for a benchmark that must give one piece more heap, or profile only it.
     */
    public static PieceProcess start(String name, Path jar, List<String> jvmOptions, List<String> args, Path logDir,
                                     boolean separateStderr) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + " does not exist: build it first with ./mvnw -q package -DskipTests");
        }
        Files.createDirectories(logDir);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        Path log = logDir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command);
        if (separateStderr) {
            builder.redirectError(logDir.resolve(name + ".err.log").toFile());
        } else {
            builder.redirectErrorStream(true);
        }
        PieceProcess piece = new PieceProcess(name, builder.start(), log);
        piece.process.getOutputStream().close();
        Thread pump = new Thread(piece::pumpOutput, name + "-output");
        pump.setDaemon(true);
        pump.start();
        return piece;
    }

    private void pumpOutput() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.println(line);
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // The process is gone; what it printed is in the log.
        }
    }

    /** Waits until the process prints a line that matches, and fails with its output if it exits or times out. */
    public String awaitLine(Predicate<String> matches, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        synchronized (lines) {
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (matches.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive() && seen == lines.size()) {
                    throw new IllegalStateException(name + (process.isAlive() ? " did not get ready in " + timeout
                            : " exited with code " + process.exitValue()) + "; its output (" + log + "):\n"
                            + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
                }
                lines.wait(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 200));
            }
        }
    }

    /** The lines printed so far. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String name() {
        return name;
    }

    /** The operating system's id of the process, for /proc figures. */
    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** Waits for the process to exit on its own and returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " did not exit within " + timeout + "; see " + log);
        }
        return process.exitValue();
    }

    /** SIGTERM, then SIGKILL if it has not exited after ten seconds. Returns the exit code. */
    public int stop() throws InterruptedException {
        return stop(Duration.ofSeconds(10));
    }

    /** SIGTERM, then SIGKILL if it has not exited within {@code grace}. Returns the exit code (137 after SIGKILL). */
    public int stop(Duration grace) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        return process.exitValue();
    }

    /** SIGKILL: the process dies at once, as in a crash. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /**
     * SIGSTOP: the process is frozen (its sockets stay open, it answers nothing) until {@link #resume()}, as in a
     * long GC pause or a VM that stalls. The cluster tests freeze an engine past its session timeout.
     */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT: a process frozen by {@link #pause()} runs on. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + signal + " " + process.pid() + " (" + name + ") failed");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            try {
                resume(); // a frozen process would not hear SIGTERM until the grace ran out
            } catch (IOException e) {
                // it exited meanwhile
            }
            stop();
        }
    }
}
