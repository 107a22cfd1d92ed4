package io.wallaby.kafkabroker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A single-node Kafka broker ({@link KafkaBrokerMain}) as its own OS process, for tests and launchers in other modules:
 *
 * <pre>{@code
 * try (KafkaBrokerProcess kafka = KafkaBrokerProcess.start(dir)) {
 *     props.put("bootstrap.servers", kafka.bootstrap());
 *     ...
 * }
 * }</pre>
 *
 * <p>It imports no Kafka class (only the JDK), so a module can depend on {@code wallaby-kafka-broker} with every
 * transitive dependency excluded and use its own {@code kafka-clients}: the broker runs on the classpath it was built
 * with, this class's own code-source location ({@code target/classes} or {@code wallaby-kafka-broker.jar}) plus the
 * {@code lib/} directory beside it, which the module's build fills.
 *
 * <p>A start on a directory of an earlier start keeps its topics and records (the ports may differ). Everything the
 * broker prints goes to {@code DIR/console.log}; its own log is {@code DIR/broker.log}.
 */
public final class KafkaBrokerProcess implements AutoCloseable {

    /** The start of the line the broker prints once it serves; the address follows. */
    public static final String READY_PREFIX = "Kafka broker ready at ";

    /** {@link KafkaBrokerMain}, named rather than referenced: loading it would need picocli here. */
    static final String MAIN_CLASS = "io.wallaby.kafkabroker.KafkaBrokerMain";

    /**
     * How the broker's JVM runs, as launch.sh starts it too. Measured: about 250 MB resident once ready and 310 MB
     * after 100,000 transactional records; the live heap stays under 100 MB (the log cleaner's buffer is cut to
     * 32 MB), so 256 MB of heap leaves room. The serial collector, as for the other pieces (fewer GC threads on a
     * machine of few cores).
     */
    static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC");

    /** How long {@link #start} waits for the ready line. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** How long {@link #close} waits after SIGTERM before SIGKILL. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private static final int KEPT_LINES = 200;
    private static final int ATTEMPTS = 3;

    private final Process process;
    private final Path dir;
    private final String bootstrap;
    private final Deque<String> lines = new ArrayDeque<>();
    private boolean outputEnded;

    private KafkaBrokerProcess(Process process, Path dir, String bootstrap) {
        this.process = process;
        this.dir = dir;
        this.bootstrap = bootstrap;
    }

    /** Starts a broker on free loopback ports with its storage in {@code dir}, and returns once it serves. */
    public static KafkaBrokerProcess start(Path dir) throws IOException, InterruptedException {
        return start(dir, List.of());
    }

    /**
     * As {@link #start(Path)}, with more flags for {@link KafkaBrokerMain} (such as {@code --session-timeout 10s}).
     * Ports are picked free just before the start; should another process take one in between, it starts again on
     * others (up to three times).
     */
    public static KafkaBrokerProcess start(Path dir, List<String> flags) throws IOException, InterruptedException {
        return start(ownClasses(), dir, flags);
    }

    /**
     * As {@link #start(Path)}, with the broker's jars of the checkout {@code home} ({@code kafka-broker/target}): for
     * a program whose own copy of this class sits in another jar (the launcher's, for {@code launch.sh demo}).
     */
    public static KafkaBrokerProcess startInCheckout(Path home, Path dir) throws IOException, InterruptedException {
        return start(home.resolve("kafka-broker/target/wallaby-kafka-broker.jar"), dir, List.of());
    }

    private static KafkaBrokerProcess start(Path classes, Path dir, List<String> flags)
            throws IOException, InterruptedException {
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            int[] ports = freePorts(2);
            List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", String.valueOf(ports[0]),
                    "--controller-port", String.valueOf(ports[1]), "--dir", dir.toString()));
            args.addAll(flags);
            KafkaBrokerProcess broker = launch(classes, dir, args, "127.0.0.1:" + ports[0]);
            try {
                broker.awaitReady(START_TIMEOUT);
                return broker;
            } catch (IllegalStateException e) {
                broker.close();
                last = e;
                if (!broker.portWasTaken()) {
                    break;
                }
            }
        }
        throw last;
    }

    /**
     * The command that runs {@link KafkaBrokerMain} with {@code args} as this class starts it: the java of
     * {@code java.home}, {@link #JVM_OPTIONS}, the module's classes and its {@code lib/*}.
     */
    public static List<String> command(List<String> args) {
        return command(ownClasses(), args);
    }

    private static List<String> command(Path classes, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.add("-cp");
        command.add(classpath(classes));
        command.add(MAIN_CLASS);
        command.addAll(args);
        return command;
    }

    /** Where this class was loaded from: the module's classes directory or its jar. */
    private static Path ownClasses() {
        try {
            return Path.of(KafkaBrokerProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException | SecurityException e) {
            throw new IllegalStateException("cannot tell where the wallaby-kafka-broker classes are: " + e, e);
        }
    }

    /** The module's {@code classes} (a directory or the jar) and the {@code lib/*} directory beside them. */
    static String classpath(Path classes) {
        Path lib = classes.toAbsolutePath().getParent().resolve("lib");
        if (!Files.isDirectory(lib) || !Files.isRegularFile(lib.resolve("kafka_2.13-" + kafkaVersion(lib) + ".jar"))) {
            throw new IllegalStateException("no Kafka jars in " + lib + " beside " + classes + ": build the module "
                    + "first (./mvnw -B -q -pl kafka-broker -am package -DskipTests), and depend on it from the reactor "
                    + "so that its target/ is used, not a copy in the local repository");
        }
        return classes.toAbsolutePath() + java.io.File.pathSeparator + lib.toAbsolutePath() + java.io.File.separator + "*";
    }

    private static String kafkaVersion(Path lib) {
        try (Stream<Path> jars = Files.list(lib)) {
            return jars.map(jar -> jar.getFileName().toString())
                    .filter(name -> name.startsWith("kafka_2.13-") && name.endsWith(".jar"))
                    .map(name -> name.substring("kafka_2.13-".length(), name.length() - ".jar".length()))
                    .findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static KafkaBrokerProcess launch(Path classes, Path dir, List<String> args, String bootstrap)
            throws IOException {
        Files.createDirectories(dir);
        ProcessBuilder builder = new ProcessBuilder(command(classes, args)).redirectErrorStream(true);
        KafkaBrokerProcess broker = new KafkaBrokerProcess(builder.start(), dir, bootstrap);
        broker.process.getOutputStream().close();
        Thread pump = new Thread(broker::pumpOutput, "kafka-broker-output-" + broker.process.pid());
        pump.setDaemon(true);
        pump.start();
        return broker;
    }

    private static int[] freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    private void pumpOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter console = new PrintWriter(Files.newBufferedWriter(dir.resolve("console.log"),
                     StandardCharsets.UTF_8), true)) {
            String line;
            while ((line = in.readLine()) != null) {
                console.println(line);
                synchronized (lines) {
                    lines.addLast(line);
                    if (lines.size() > KEPT_LINES) {
                        lines.removeFirst();
                    }
                    lines.notifyAll();
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // The process is gone, or console.log cannot be written; the exit code tells the rest.
        } finally {
            synchronized (lines) {
                outputEnded = true;
                lines.notifyAll();
            }
        }
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        String ready = READY_PREFIX + bootstrap;
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (!lines.contains(ready)) {
                long left = deadline - System.nanoTime();
                if (outputEnded || left <= 0) {
                    String what = outputEnded || !process.isAlive()
                            ? "exited with code " + exitCode() + " before it was ready"
                            : "did not get ready within " + timeout.toSeconds() + " s";
                    throw new IllegalStateException("the Kafka broker in " + dir + " " + what + "; it printed:\n"
                            + String.join("\n", lines) + lastLogLines());
                }
                lines.wait(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 200));
            }
        }
    }

    private int exitCode() throws InterruptedException {
        return process.waitFor(5, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    private boolean portWasTaken() {
        synchronized (lines) {
            return lines.stream().anyMatch(line -> line.contains(" is in use: "));
        }
    }

    private String lastLogLines() {
        Path log = dir.resolve("broker.log");
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return all.isEmpty() ? "" : "\nlast lines of " + log + ":\n"
                    + String.join("\n", all.subList(Math.max(0, all.size() - 20), all.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** The address clients bootstrap from, {@code 127.0.0.1:PORT}. */
    public String bootstrap() {
        return bootstrap;
    }

    public long pid() {
        return process.pid();
    }

    /** The broker's directory (storage, server.properties, broker.log, console.log). */
    public Path dir() {
        return dir;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: the broker dies at once, as in a crash. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /**
     * SIGTERM, then waits for the broker to shut down ({@link #STOP_TIMEOUT}), then SIGKILL if it hangs. Returns the
     * exit code: 0 after a clean stop.
     */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        return process.exitValue();
    }

    /** {@link #stop()} unless it has already exited. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
