package io.wallaby.engine;

import io.wallaby.engine.admin.SourceAdmins;
import io.wallaby.engine.cluster.ClusterSettings;
import io.wallaby.engine.guard.ConnectionLimits;
import io.wallaby.protocol.Frames;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How an engine listens and paces its connectors. Ports may be 0 (pick a free port).
 *
 * @param host           the address both ports bind to
 * @param sourcePort     the port source connectors dial
 * @param sinkPort       the port sink connectors dial
 * @param cookie         the shared secret every HELLO must carry (may be empty)
 * @param maxFrameLength the longest frame accepted, in bytes
 * @param maxCredits     the credit a source connector gets at OK and is topped back up to
 * @param refillLevel    the remaining credit at which the engine tops a source connector up
 * @param maxPending     the outputs held for sinks beyond which sources get no more credit
 * @param limits         what one peer may do before it is refused
 * @param adminPort      the HTTP port for /health, /metrics and /status; {@link #ADMIN_OFF} for none
 * @param tls            the server certificate and key of both protocol ports, or null for plain TCP
 * @param deadLetterFile the JSON-lines file that gets the messages the application cannot handle
 * @param lanes          the threads that run the application; a stream runs on one of them
 * @param stateDir       where a stateful application's checkpoints are kept (unused for a stateless one)
 * @param checkpointInterval how often each stream of a stateful application is checkpointed
 * @param appConfig      the application's settings ({@code --app-config key=value})
 * @param cluster        the Kafka cluster this engine is a member of, or null for a standalone engine
 * @param sourceAdmins   admin addresses of source connectors ({@code http://host:port}) whose figures (a
 *                       replication slot's lag) the engine reads into /status; needs the admin port
 */
public record EngineConfig(String host, int sourcePort, int sinkPort, String cookie, int maxFrameLength,
                           long maxCredits, long refillLevel, long maxPending, ConnectionLimits limits,
                           int adminPort, Tls tls, Path deadLetterFile, int lanes, Path stateDir,
                           Duration checkpointInterval, Map<String, String> appConfig, ClusterSettings cluster,
                           List<String> sourceAdmins) {

    /** PEM files: a certificate chain and its unencrypted PKCS#8 private key. */
    public record Tls(Path certificate, Path key) {
    }

    public static final int ADMIN_OFF = -1;

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_SOURCE_PORT = 7100;
    public static final int DEFAULT_SINK_PORT = 7200;
    public static final long DEFAULT_MAX_CREDITS = 8192;
    public static final long DEFAULT_REFILL_LEVEL = 4096;
    public static final long DEFAULT_MAX_PENDING = 100_000;
    public static final String DEFAULT_DEAD_LETTER_FILE = "wallaby-dead-letters.jsonl";
    public static final String DEFAULT_STATE_DIR = "wallaby-state";
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofMillis(200);
    /** One lane per core: the application is CPU work, and the event loops mostly wait for the network. */
    public static final int DEFAULT_LANES = Runtime.getRuntime().availableProcessors();

    public EngineConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(cookie, "cookie");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(deadLetterFile, "deadLetterFile");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        appConfig = Map.copyOf(appConfig);
        sourceAdmins = List.copyOf(sourceAdmins);
    }

    /** A builder that starts from the command line's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this configuration. */
    public Builder toBuilder() {
        return new Builder().host(host).sourcePort(sourcePort).sinkPort(sinkPort).cookie(cookie)
                .maxFrameLength(maxFrameLength).maxCredits(maxCredits).refillLevel(refillLevel).maxPending(maxPending)
                .limits(limits).adminPort(adminPort).tls(tls).deadLetterFile(deadLetterFile).lanes(lanes)
                .stateDir(stateDir).checkpointInterval(checkpointInterval).appConfig(appConfig).cluster(cluster)
                .sourceAdmins(sourceAdmins);
    }

    /**
     * The defaults of the command line, on free ports: what tests start from. The dead-letter file goes
     * to a fresh temporary directory rather than the working directory, so tests leave nothing behind there.
     */
    public static EngineConfig onFreePorts() {
        Path directory = temporaryDirectory();
        return builder().sourcePort(0).sinkPort(0).deadLetterFile(directory.resolve(DEFAULT_DEAD_LETTER_FILE))
                .stateDir(directory.resolve(DEFAULT_STATE_DIR)).build();
    }

    private static Path temporaryDirectory() {
        try {
            Path directory = Files.createTempDirectory("wallaby-engine");
            directory.toFile().deleteOnExit();
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public EngineConfig withCookie(String newCookie) {
        return toBuilder().cookie(newCookie).build();
    }

    public EngineConfig withCredits(long newMaxCredits, long newRefillLevel) {
        return toBuilder().maxCredits(newMaxCredits).refillLevel(newRefillLevel).build();
    }

    public EngineConfig withMaxPending(long newMaxPending) {
        return toBuilder().maxPending(newMaxPending).build();
    }

    public EngineConfig withLimits(ConnectionLimits newLimits) {
        return toBuilder().limits(newLimits).build();
    }

    public EngineConfig withAdminPort(int newAdminPort) {
        return toBuilder().adminPort(newAdminPort).build();
    }

    public EngineConfig withTls(Tls newTls) {
        return toBuilder().tls(newTls).build();
    }

    public EngineConfig withDeadLetterFile(Path newDeadLetterFile) {
        return toBuilder().deadLetterFile(newDeadLetterFile).build();
    }

    /** What is wrong with this configuration, one sentence each, naming the option; empty when valid. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        checkPort(problems, sourcePort, "--source-port");
        checkPort(problems, sinkPort, "--sink-port");
        if (sourcePort != 0 && sourcePort == sinkPort) {
            problems.add("--source-port and --sink-port must differ, both are " + sourcePort);
        }
        if (maxFrameLength < 64) {
            problems.add("--max-frame-length must be at least 64 bytes, was " + maxFrameLength);
        }
        if (maxCredits < 1 || maxCredits > 0xFFFF_FFFFL) {
            problems.add("--max-credits must be between 1 and 4294967295, was " + maxCredits);
        }
        if (refillLevel < 0 || refillLevel >= maxCredits) {
            problems.add("--refill-level must be at least 0 and below --max-credits (" + maxCredits + "), was "
                    + refillLevel);
        }
        if (maxPending < 1) {
            problems.add("--max-pending must be at least 1, was " + maxPending);
        }
        limits.addProblems(problems);
        if (adminPort != ADMIN_OFF) {
            checkPort(problems, adminPort, "--admin-port");
        }
        if (tls != null) {
            checkReadable(problems, tls.certificate(), "--tls-cert");
            checkReadable(problems, tls.key(), "--tls-key");
        }
        Path deadLetterDirectory = deadLetterFile.toAbsolutePath().getParent();
        if (deadLetterDirectory != null && !Files.isDirectory(deadLetterDirectory)) {
            problems.add("--dead-letter-file names " + deadLetterFile + ", whose directory does not exist");
        } else if (Files.isDirectory(deadLetterFile)) {
            problems.add("--dead-letter-file names " + deadLetterFile + ", which is a directory");
        }
        if (lanes < 1) {
            problems.add("--lanes must be at least 1, was " + lanes);
        }
        if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
            problems.add("--checkpoint-interval must be above 0, was " + checkpointInterval);
        }
        if (Files.exists(stateDir) && !Files.isDirectory(stateDir)) {
            problems.add("--state-dir names " + stateDir + ", which is not a directory");
        }
        if (cluster != null) {
            cluster.addProblems(problems);
        }
        for (String address : sourceAdmins) {
            String problem = SourceAdmins.problem(address);
            if (problem != null) {
                problems.add(problem);
            }
        }
        if (!sourceAdmins.isEmpty() && adminPort == ADMIN_OFF) {
            problems.add("--source-admin needs --admin-port: the figures it reads are shown in /status and the web "
                    + "view, which the admin port serves");
        }
        return problems;
    }

    private static void checkReadable(List<String> problems, Path file, String option) {
        if (file == null) {
            problems.add("--tls-cert and --tls-key go together: " + option + " is missing");
        } else if (!Files.isReadable(file)) {
            problems.add(option + " names " + file + ", which is not a readable file");
        }
    }

    private static void checkPort(List<String> problems, int port, String option) {
        if (port < 0 || port > 65535) {
            problems.add(option + " must be between 0 and 65535, was " + port);
        }
    }

    /**
     * Builds an {@link EngineConfig} one named setting at a time, starting from the command line's defaults,
     * so that no caller lines up twelve positional arguments (four of them longs that would swap unnoticed).
     */
    public static final class Builder {

        private String host = DEFAULT_HOST;
        private int sourcePort = DEFAULT_SOURCE_PORT;
        private int sinkPort = DEFAULT_SINK_PORT;
        private String cookie = "";
        private int maxFrameLength = Frames.DEFAULT_MAX_FRAME_LENGTH;
        private long maxCredits = DEFAULT_MAX_CREDITS;
        private long refillLevel = DEFAULT_REFILL_LEVEL;
        private long maxPending = DEFAULT_MAX_PENDING;
        private ConnectionLimits limits = ConnectionLimits.defaults();
        private int adminPort = ADMIN_OFF;
        private Tls tls;
        private Path deadLetterFile = Path.of(DEFAULT_DEAD_LETTER_FILE);
        private int lanes = DEFAULT_LANES;
        private Path stateDir = Path.of(DEFAULT_STATE_DIR);
        private Duration checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
        private Map<String, String> appConfig = Map.of();
        private ClusterSettings cluster;
        private List<String> sourceAdmins = List.of();

        private Builder() {
        }

        public Builder host(String value) {
            host = value;
            return this;
        }

        public Builder sourcePort(int value) {
            sourcePort = value;
            return this;
        }

        public Builder sinkPort(int value) {
            sinkPort = value;
            return this;
        }

        public Builder cookie(String value) {
            cookie = value;
            return this;
        }

        public Builder maxFrameLength(int value) {
            maxFrameLength = value;
            return this;
        }

        public Builder maxCredits(long value) {
            maxCredits = value;
            return this;
        }

        public Builder refillLevel(long value) {
            refillLevel = value;
            return this;
        }

        public Builder maxPending(long value) {
            maxPending = value;
            return this;
        }

        public Builder limits(ConnectionLimits value) {
            limits = value;
            return this;
        }

        /** {@link #ADMIN_OFF} for no admin port. */
        public Builder adminPort(int value) {
            adminPort = value;
            return this;
        }

        /** Null for plain TCP. */
        public Builder tls(Tls value) {
            tls = value;
            return this;
        }

        public Builder deadLetterFile(Path value) {
            deadLetterFile = value;
            return this;
        }

        public Builder lanes(int value) {
            lanes = value;
            return this;
        }

        public Builder stateDir(Path value) {
            stateDir = value;
            return this;
        }

        public Builder checkpointInterval(Duration value) {
            checkpointInterval = value;
            return this;
        }

        public Builder appConfig(Map<String, String> value) {
            appConfig = value;
            return this;
        }

        /** Null for a standalone engine. */
        public Builder cluster(ClusterSettings value) {
            cluster = value;
            return this;
        }

        /** Source connectors' admin addresses ({@code http://host:port}); empty for none. */
        public Builder sourceAdmins(List<String> value) {
            sourceAdmins = value;
            return this;
        }

        public EngineConfig build() {
            return new EngineConfig(host, sourcePort, sinkPort, cookie, maxFrameLength, maxCredits, refillLevel,
                    maxPending, limits, adminPort, tls, deadLetterFile, lanes, stateDir, checkpointInterval, appConfig,
                    cluster, sourceAdmins);
        }
    }
}
