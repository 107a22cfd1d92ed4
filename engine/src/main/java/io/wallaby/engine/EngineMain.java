package io.wallaby.engine;

import io.wallaby.api.Application;
import io.wallaby.apps.AlertStateless;
import io.wallaby.connector.DurationOption;
import io.wallaby.engine.cluster.ClusterSettings;
import io.wallaby.engine.guard.ConnectionLimits;
import io.wallaby.logging.LogFormat;
import io.wallaby.protocol.Frames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** The {@code wallaby-engine} command. */
@Command(name = "wallaby-engine", mixinStandardHelpOptions = true, showDefaultValues = true,
        version = "Wallaby engine 0.1.0",
        description = "Runs a Wallaby application: source connectors feed it on the source port, "
                + "sink connectors drain it on the sink port.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:help or version shown, or stopped by SIGTERM or Ctrl-C after every held output was committed",
                "1:runtime failure, such as a port already in use, or outputs still pending when --shutdown-timeout ran out",
                "2:usage or configuration error, such as an unknown option or application"})
public final class EngineMain implements Callable<Integer> {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    private static final Logger log = LoggerFactory.getLogger(EngineMain.class);

    @Spec
    CommandSpec spec;

    /** Set by {@link #main}; null when the command runs in-process (tests). */
    private StopSignals signals;

    @Option(names = "--host", description = "Address to listen on.")
    String host = EngineConfig.DEFAULT_HOST;

    @Option(names = "--source-port", description = "Port for source connectors (0: any free port).")
    int sourcePort = EngineConfig.DEFAULT_SOURCE_PORT;

    @Option(names = "--sink-port", description = "Port for sink connectors (0: any free port).")
    int sinkPort = EngineConfig.DEFAULT_SINK_PORT;

    @Option(names = "--cookie", description = "Shared secret every connector's HELLO must carry.")
    String cookie = "";

    @Option(names = "--application", paramLabel = "NAME|CLASS",
            description = "Built-in application name or fully qualified class implementing io.wallaby.api.Application.")
    String application = AlertStateless.NAME;

    @Option(names = "--max-frame-length", paramLabel = "BYTES", description = "Longest frame accepted.")
    int maxFrameLength = Frames.DEFAULT_MAX_FRAME_LENGTH;

    @Option(names = "--max-credits", description = "Credits a source connector gets, and is topped back up to.")
    long maxCredits = EngineConfig.DEFAULT_MAX_CREDITS;

    @Option(names = "--refill-level", description = "Remaining source credit at which the engine tops it up.")
    long refillLevel = EngineConfig.DEFAULT_REFILL_LEVEL;

    @Option(names = "--max-pending", paramLabel = "OUTPUTS",
            description = "Outputs held for sinks before sources get no more credit.")
    long maxPending = EngineConfig.DEFAULT_MAX_PENDING;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", converter = DurationOption.class,
            defaultValue = "30s", description = "After SIGTERM or Ctrl-C, how long sinks get to commit what the engine holds.")
    Duration shutdownTimeout;

    @Option(names = "--max-connections", description = "Open connections per port; one more gets ERROR.")
    int maxConnections = ConnectionLimits.DEFAULT_MAX_CONNECTIONS;

    @Option(names = "--handshake-timeout", paramLabel = "DURATION", converter = DurationOption.class,
            defaultValue = "10s", description = "Time a new connection has to say HELLO (0: no limit).")
    Duration handshakeTimeout;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = DurationOption.class,
            defaultValue = "0", description = "Time a connection may send no frame at all (0: no limit; the protocol "
                    + "has no heartbeat, so set it above the longest quiet spell of your sources and sinks).")
    Duration idleTimeout;

    @Option(names = "--max-streams-per-connection", paramLabel = "STREAMS",
            description = "Source streams one connection may hold; NOTIFY beyond gets NOTIFY_ACK 0.")
    int maxStreamsPerConnection = ConnectionLimits.DEFAULT_MAX_STREAMS_PER_CONNECTION;

    @Option(names = "--admin-port", description = "HTTP port for the web view (/), /health, /metrics and /status on "
            + "--host (0: any free port; unset: no admin port).")
    Integer adminPort;

    @Option(names = "--source-admin", paramLabel = "URL", description = "A source connector's admin address "
            + "(http://HOST:PORT, its --admin-port): the engine reads its /metrics every second and shows its figures "
            + "(a replication slot's lag) in /status and the web view. Repeat for more sources; needs --admin-port.")
    List<String> sourceAdmins = new ArrayList<>();

    @Option(names = "--log-format", description = "Log lines as text or json (one object per line): ${COMPLETION-CANDIDATES}.")
    LogFormat logFormat = LogFormat.text;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Certificate chain for TLS on both connector ports "
            + "(with --tls-key; unset: plain TCP).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "PKCS#8 private key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--dead-letter-file", paramLabel = "FILE", description = "JSON-lines file (appended to, "
            + "fsynced) for source messages the application cannot decode or fails on, written before they are "
            + "acknowledged; relative to the working directory.")
    Path deadLetterFile = Path.of(EngineConfig.DEFAULT_DEAD_LETTER_FILE);

    @Option(names = "--lanes", description = "Threads that run the application. A stream runs on one lane, so its "
            + "messages keep their order; different streams run in parallel. Default: one per core.")
    int lanes = EngineConfig.DEFAULT_LANES;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Where a stateful application keeps its "
            + "checkpoints (RocksDB); one engine per directory. Relative to the working directory.")
    Path stateDir = Path.of(EngineConfig.DEFAULT_STATE_DIR);

    @Option(names = "--checkpoint-interval", paramLabel = "DURATION", converter = DurationOption.class,
            defaultValue = "200ms", description = "How often each stream of a stateful application is "
                    + "checkpointed. Its source is acknowledged up to the last checkpoint, so a source keeps what it "
                    + "sent for about this long: a connector's replay buffer (100,000 messages per stream) over this "
                    + "interval bounds a stream's rate.")
    Duration checkpointInterval;

    @Option(names = "--app-config", paramLabel = "KEY=VALUE", description = "A setting of the application; repeat "
            + "for more (velocity_alerts: window, threshold, lateness).")
    Map<String, String> appConfig = new LinkedHashMap<>();

    @Option(names = "--kafka", paramLabel = "HOST:PORT[,HOST:PORT...]", description = "Kafka brokers of the "
            + "cluster this engine joins (with --cluster; unset: a standalone engine). docs/CLUSTER.md.")
    String kafka;

    @Option(names = "--cluster", paramLabel = "NAME", description = "The cluster to join: its Kafka consumer group "
            + "and the prefix of its topics (wallaby.NAME.control). Engines with the same NAME share the streams.")
    String clusterName;

    @Option(names = "--cluster-partitions", paramLabel = "P", description = "Partitions of a new cluster's control "
            + "topic: a stream belongs to partition (its id mod P), and P is fixed when the cluster is created.")
    int clusterPartitions = ClusterSettings.DEFAULT_PARTITIONS;

    @Option(names = "--advertised-host", paramLabel = "HOST", description = "The host other engines send "
            + "connectors to when they redirect them here. Default: --host (this machine's name when --host is 0.0.0.0).")
    String advertisedHost;

    public static void main(String[] args) {
        StopSignals signals = StopSignals.install();
        EngineMain engine = new EngineMain();
        engine.signals = signals;
        signals.exit(new CommandLine(engine).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        logFormat.apply();
        EngineConfig config = EngineConfig.builder()
                .host(host).sourcePort(sourcePort).sinkPort(sinkPort).cookie(cookie).maxFrameLength(maxFrameLength)
                .maxCredits(maxCredits).refillLevel(refillLevel).maxPending(maxPending)
                .limits(new ConnectionLimits(maxConnections, handshakeTimeout, idleTimeout, maxStreamsPerConnection))
                .adminPort(adminPort == null ? EngineConfig.ADMIN_OFF : adminPort)
                .tls(tlsCert == null && tlsKey == null ? null : new EngineConfig.Tls(tlsCert, tlsKey))
                .deadLetterFile(deadLetterFile)
                .lanes(lanes).stateDir(stateDir).checkpointInterval(checkpointInterval).appConfig(appConfig)
                .cluster(kafka == null && clusterName == null ? null
                        : new ClusterSettings(String.valueOf(kafka), String.valueOf(clusterName), clusterPartitions,
                        advertisedHost()))
                .sourceAdmins(sourceAdmins)
                .build();
        if ((kafka == null) != (clusterName == null)) {
            printError("--kafka and --cluster go together: give both to join a cluster, neither for a standalone engine");
            return EXIT_USAGE;
        }
        List<String> problems = config.problems();
        if (!problems.isEmpty()) {
            problems.forEach(this::printError);
            return EXIT_USAGE;
        }
        Application app;
        try {
            app = ApplicationLoader.load(application);
        } catch (IllegalArgumentException e) {
            printError(e.getMessage());
            return EXIT_USAGE;
        }
        EngineServer server;
        try {
            server = new EngineServer(config, app);
        } catch (IllegalArgumentException e) {
            printError(e.getMessage());
            return EXIT_USAGE;
        }
        try {
            server.start();
        } catch (StartFailedException e) {
            printError(e.getMessage());
            return EXIT_FAILURE;
        }
        log.info("Wallaby engine ready: application {}, sources on {}:{}, sinks on {}:{}, dead letters to {}",
                application, host, server.sourcePort(), host, server.sinkPort(), deadLetterFile.toAbsolutePath());
        if (server.processors().checkpointer() != null) {
            log.info("Stateful application: checkpoints every {} ms in {}, {} lane(s)", checkpointInterval.toMillis(),
                    server.processors().checkpointer().store(), lanes);
        }
        if (server.membership() != null) {
            log.info("Member of cluster {} (Kafka at {}): connectors are redirected here as {}:{}", clusterName,
                    kafka, config.cluster().advertisedHost(), server.sourcePort());
        }
        if (config.adminPort() != EngineConfig.ADMIN_OFF) {
            log.info("Wallaby engine admin on http://{}:{}/ (the web view; /health, /metrics, /status)", host,
                    server.adminPort());
        }
        if (signals == null) {
            server.awaitClosed(); // run in-process, without main(): whoever started it closes it
            return EXIT_OK;
        }
        signals.await();
        boolean drained = server.drain(shutdownTimeout);
        server.close();
        log.info("Wallaby engine stopped{}", drained ? "" : " with outputs still pending");
        return drained ? EXIT_OK : EXIT_FAILURE;
    }

    private String advertisedHost() {
        if (advertisedHost != null) {
            return advertisedHost;
        }
        if (!host.equals("0.0.0.0") && !host.equals("::")) {
            return host;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return host;
        }
    }

    private void printError(String message) {
        spec.commandLine().getErr().println("wallaby-engine: " + message);
        spec.commandLine().getErr().flush();
    }
}
