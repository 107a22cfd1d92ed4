package io.wallaby.kafkabroker;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The {@code wallaby-kafka-broker} command: a single-node KRaft Kafka broker (broker and controller in one JVM) for
 * tests, the demo and {@code ./launch.sh kafka}. Prints {@value #READY_PREFIX}{@code HOST:PORT} once clients can use it.
 */
@Command(name = "wallaby-kafka-broker", mixinStandardHelpOptions = true, showDefaultValues = true,
        version = "Wallaby Kafka broker 0.1.0 (Kafka 4.4.0)",
        description = {
                "Runs a single-node Kafka broker (KRaft: broker and controller in one process) from the Maven jars. "
                        + "The first start formats the storage under --dir; later starts on the same --dir keep its "
                        + "topics and records. Prints '" + KafkaBrokerMain.READY_PREFIX + "HOST:PORT' once clients "
                        + "can use it; stops on Ctrl-C or SIGTERM.",
                "Its log (warnings and errors) is <dir>/broker.log; the configuration it runs with, <dir>/server.properties."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:help or version shown, or stopped by SIGTERM or Ctrl-C",
                "1:could not start or stopped by itself, such as a port in use or a directory it cannot write",
                "2:usage error, such as an unknown option or a session timeout not above the heartbeat interval"})
public final class KafkaBrokerMain implements Callable<Integer> {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    /** The start of the one line printed when the broker serves; the address follows. */
    public static final String READY_PREFIX = KafkaBrokerProcess.READY_PREFIX;

    /** How long the broker may take from start to serving before the command gives up. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    /** How long a shutdown may take before the command exits without waiting for it (a single node takes 2 s). */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private static final String BROKER_DOWN = "broker down";

    @Spec
    CommandSpec spec;

    /** Set by {@link #main}; null when the command runs in-process (tests of the flags). */
    private StopSignals signals;

    @Option(names = "--host", description = "Address both listeners bind to and clients are told to use.")
    String host = BrokerSettings.DEFAULT_HOST;

    @Option(names = "--port", description = "Port for clients (bootstrap HOST:PORT).")
    int port = BrokerSettings.DEFAULT_PORT;

    @Option(names = "--controller-port", description = "Port of the KRaft controller listener.")
    int controllerPort = BrokerSettings.DEFAULT_CONTROLLER_PORT;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where the broker keeps its storage (DIR/data), "
            + "configuration and log. Relative to the working directory.")
    Path dir = Path.of(BrokerSettings.DEFAULT_DIR);

    @Option(names = "--session-timeout", paramLabel = "DURATION", converter = DurationFlag.class,
            defaultValue = BrokerSettings.DEFAULT_SESSION_TIMEOUT,
            description = "How long a consumer group member (group.protocol=consumer) may stay silent before it loses "
                    + "its partitions: group.consumer.session.timeout.ms, and its minimum. Members heartbeat every "
                    + "second, so it must be longer than 1s. Kafka's own default is 45s.")
    Duration sessionTimeout;

    public static void main(String[] args) {
        StopSignals signals = StopSignals.install();
        KafkaBrokerMain command = new KafkaBrokerMain();
        command.signals = signals;
        signals.exit(new CommandLine(command).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        BrokerSettings settings = new BrokerSettings(host, port, controllerPort, dir, sessionTimeout);
        List<String> problems = settings.problems();
        if (!problems.isEmpty()) {
            problems.forEach(this::printError);
            return EXIT_USAGE;
        }
        StopSignals stop = signals != null ? signals : new StopSignals();
        KafkaNode node;
        try {
            BrokerDirectory.prepare(settings);
            BrokerDirectory.checkPortFree(host, port, "--port");
            BrokerDirectory.checkPortFree(host, controllerPort, "--controller-port");
            configureLogging(settings);
            if (!BrokerDirectory.isFormatted(settings)) {
                String clusterId = KafkaNode.format(settings);
                print("Formatted new Kafka storage in " + settings.dataDir() + " (cluster id " + clusterId + ")");
            }
            node = KafkaNode.start(settings);
        } catch (StartFailedException e) {
            printError(e.getMessage());
            return EXIT_FAILURE;
        }
        Thread watcher = new Thread(() -> {
            node.awaitShutdown();
            stop.request(BROKER_DOWN);
        }, "kafka-broker-watcher");
        watcher.setDaemon(true);
        watcher.start();
        try {
            if (node.awaitReady(READY_TIMEOUT, stop::isRequested)) {
                print(READY_PREFIX + settings.bootstrap());
            }
        } catch (StartFailedException e) {
            printError(e.getMessage());
            stopWithin(node, STOP_TIMEOUT);
            return EXIT_FAILURE;
        }
        String why = stop.await();
        if (BROKER_DOWN.equals(why)) {
            printError("Kafka stopped by itself; see " + settings.logFile());
            return EXIT_FAILURE;
        }
        if (!stopWithin(node, STOP_TIMEOUT)) {
            printError("Kafka did not shut down within " + STOP_TIMEOUT.toSeconds() + " s; exiting without it (see "
                    + settings.logFile() + ")");
            return EXIT_FAILURE;
        }
        print("Kafka broker stopped (" + why + ")");
        return EXIT_OK;
    }

    /** Shuts the node down, waiting at most {@code timeout}; whether it is down. */
    private static boolean stopWithin(KafkaNode node, Duration timeout) throws InterruptedException {
        Thread stopper = new Thread(node::stop, "kafka-broker-stop");
        stopper.setDaemon(true);
        stopper.start();
        stopper.join(timeout.toMillis());
        return !stopper.isAlive();
    }

    /**
     * Kafka 4 logs through log4j2: warnings and errors (and this module's lines) go to DIR/broker.log, errors also to
     * standard error (wallaby-kafka-broker-log4j2.xml). Set before the first Kafka class logs anything.
     */
    private static void configureLogging(BrokerSettings settings) {
        System.setProperty("wallaby.kafka.log", settings.logFile().toAbsolutePath().toString());
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "wallaby-kafka-broker-log4j2.xml");
        }
    }

    private void print(String line) {
        PrintWriter out = spec.commandLine().getOut();
        out.println(line);
        out.flush();
    }

    private void printError(String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("wallaby-kafka-broker: " + message);
        err.flush();
    }
}
