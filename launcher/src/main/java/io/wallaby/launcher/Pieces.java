package io.wallaby.launcher;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Starts the engine and the connectors from their runnable jars in a checkout, each as its own OS
 * process, and stops whatever it started on {@link #close()}. The demo and the end-to-end tests both
 * go through here, so they start the pieces exactly as a user does with {@code launch.sh}.
 */
public final class Pieces implements AutoCloseable {

    /** How long a piece may take to start (JVM start and, for connectors, the database handshake). */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** Every piece says "ready" as a word once it works ("already" must not count). */
    private static final Pattern READY = Pattern.compile("\\bready\\b");
    private static final Pattern STANDBY = Pattern.compile("\\bstandby\\b");

    private final Path home;
    private final Path logDir;
    private final String engineHost = "127.0.0.1";
    private final int sourcePort;
    private final int sinkPort;
    private final List<PieceProcess> started = new ArrayList<>();

    /**
     * @param home       the checkout, whose {@code engine/target}, {@code source-connector/target} and
     *                   {@code sink-connector/target} hold the jars
     * @param logDir     where each piece's output is written, one file per piece
     * @param sourcePort the engine's source port, 0 for a free one
     * @param sinkPort   the engine's sink port, 0 for a free one
     */
    public Pieces(Path home, Path logDir, int sourcePort, int sinkPort) throws IOException {
        this.home = home.toAbsolutePath().normalize();
        this.logDir = logDir;
        this.sourcePort = sourcePort == 0 ? freePort() : sourcePort;
        this.sinkPort = sinkPort == 0 ? freePort() : sinkPort;
    }

    /** Starts the engine and waits until it is ready to take connections. */
    public PieceProcess startEngine(String... extraArgs) throws IOException, InterruptedException {
        return startEngine(List.of(), extraArgs);
    }

    /**
     * Starts the engine with {@code jvmOptions} after the launcher's own ({@link PieceProcess#JVM_OPTIONS}; a later
     * {@code -Xmx} wins) and waits until it is ready.
     */
    public PieceProcess startEngine(List<String> jvmOptions, String... extraArgs) throws IOException, InterruptedException {
        Files.createDirectories(logDir);
        List<String> args = new ArrayList<>(List.of("--host", engineHost,
                "--source-port", Integer.toString(sourcePort), "--sink-port", Integer.toString(sinkPort),
                "--dead-letter-file", logDir.resolve("dead-letters.jsonl").toAbsolutePath().toString()));
        args.addAll(List.of(extraArgs));
        PieceProcess engine = start("engine", home.resolve("engine/target/wallaby-engine.jar"), jvmOptions, args, false);
        engine.awaitLine(line -> READY.matcher(line).find(), START_TIMEOUT);
        return engine;
    }

    /** The ports of one engine of several on this machine: each needs its own. */
    public record EnginePorts(int source, int sink, int admin) {
        /** Three ports free right now. */
        public static EnginePorts free() throws IOException {
            return new EnginePorts(freePort(), freePort(), freePort());
        }

        public String sourceAddress() {
            return "127.0.0.1:" + source;
        }

        public String sinkAddress() {
            return "127.0.0.1:" + sink;
        }
    }

    /**
     * Starts one engine of a cluster (or of several side by side) as {@code name}, on its own {@code ports}, with
     * its own dead-letter file, and waits until it is ready.
     */
    public PieceProcess startEngine(String name, EnginePorts ports, String... extraArgs)
            throws IOException, InterruptedException {
        Files.createDirectories(logDir);
        List<String> args = new ArrayList<>(List.of("--host", engineHost,
                "--source-port", Integer.toString(ports.source()), "--sink-port", Integer.toString(ports.sink()),
                "--admin-port", Integer.toString(ports.admin()),
                "--dead-letter-file", logDir.resolve(name + "-dead-letters.jsonl").toAbsolutePath().toString()));
        args.addAll(List.of(extraArgs));
        PieceProcess engine = start(name, home.resolve("engine/target/wallaby-engine.jar"), List.of(), args, false);
        engine.awaitLine(line -> READY.matcher(line).find(), START_TIMEOUT);
        return engine;
    }

    /**
     * Starts a source connector of {@code kind} ({@code postgres}, {@code generator}, {@code file})
     * pointed at the engine, and waits until it says it is ready.
     */
    public PieceProcess startSource(String name, String kind, String... kindArgs)
            throws IOException, InterruptedException {
        return startSourceTo(name, engineHost + ":" + sourcePort, kind, kindArgs);
    }

    /**
     * Starts a source connector pointed at {@code engines} ({@code host:port,...}: any engines of a cluster),
     * and waits until it says it is ready.
     */
    public PieceProcess startSourceTo(String name, String engines, String kind, String... kindArgs)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(kind, "--engine-host", engines));
        args.addAll(List.of(kindArgs));
        PieceProcess source = start(name, home.resolve("source-connector/target/wallaby-source.jar"), args, false);
        // A second instance for a stream that is already open waits as a standby: that is ready too. A source says
        // ready once: a partitioned postgres source ("ready: N partitions of stream ...") only when every
        // partition's slot or capture exists, so rows written from then on are captured even with --snapshot never.
        source.awaitLine(line -> READY.matcher(line).find() || STANDBY.matcher(line).find(), START_TIMEOUT);
        return source;
    }

    /**
     * Starts a sink connector of {@code kind} ({@code postgres}, {@code stdout}, {@code file}) pointed at
     * the engine, and waits until it says it is ready. A stdout sink's standard output holds only the
     * alerts; its logs go to {@code <name>.err.log}.
     */
    public PieceProcess startSink(String name, String kind, String... kindArgs)
            throws IOException, InterruptedException {
        return startSinkTo(name, engineHost + ":" + sinkPort, kind, kindArgs);
    }

    /** Starts a sink connector that drains every engine of {@code engines} ({@code host:port,...}). */
    public PieceProcess startSinkTo(String name, String engines, String kind, String... kindArgs)
            throws IOException, InterruptedException {
        return startSink(name, List.of(kind, "--engine-host", engines), kindArgs);
    }

    /**
     * Starts a sink connector that finds the engines of cluster {@code cluster} through Kafka at {@code kafka} (the
     * members of its consumer group), also those that join later, and drains them all.
     */
    public PieceProcess startSinkFinding(String name, String kafka, String cluster, String kind, String... kindArgs)
            throws IOException, InterruptedException {
        return startSink(name, List.of(kind, "--kafka", kafka, "--cluster", cluster), kindArgs);
    }

    private PieceProcess startSink(String name, List<String> kindAndEngines, String... kindArgs)
            throws IOException, InterruptedException {
        String kind = kindAndEngines.get(0);
        List<String> args = new ArrayList<>(kindAndEngines);
        args.addAll(List.of(kindArgs));
        boolean dataOnStdout = kind.equals("stdout");
        PieceProcess sink = start(name, home.resolve("sink-connector/target/wallaby-sink.jar"), args, dataOnStdout);
        if (!dataOnStdout) {
            sink.awaitLine(line -> READY.matcher(line).find(), START_TIMEOUT);
        }
        return sink;
    }

    public int sourcePort() {
        return sourcePort;
    }

    public int sinkPort() {
        return sinkPort;
    }

    private PieceProcess start(String name, Path jar, List<String> args, boolean separateStderr) throws IOException {
        return start(name, jar, List.of(), args, separateStderr);
    }

    private PieceProcess start(String name, Path jar, List<String> jvmOptions, List<String> args,
                               boolean separateStderr) throws IOException {
        PieceProcess piece = PieceProcess.start(name, jar, jvmOptions, args, logDir, separateStderr);
        synchronized (started) {
            started.add(piece);
        }
        return piece;
    }

    /** Stops every piece still running, newest first (sources before the engine they feed). */
    @Override
    public void close() throws InterruptedException {
        List<PieceProcess> pieces;
        synchronized (started) {
            pieces = new ArrayList<>(started);
        }
        for (int i = pieces.size() - 1; i >= 0; i--) {
            pieces.get(i).close();
        }
    }

    /** A TCP port that is free right now on this machine. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
