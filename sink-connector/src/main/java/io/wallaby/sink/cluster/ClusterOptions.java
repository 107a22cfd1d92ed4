package io.wallaby.sink.cluster;

import io.wallaby.connector.ConfigurationException;
import io.wallaby.connector.ConnectorSettings;
import io.wallaby.connector.DurationOption;
import io.wallaby.connector.SinkRunner;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.time.Duration;

/**
 * The flags with which a sink connector finds a cluster's engines itself, as a picocli mixin: {@code --kafka
 * HOST:PORT[,...] --cluster NAME}, the same two flags the engines are started with. The sink then asks the engines'
 * consumer group for its members every {@code --discovery-interval} and dials each member's sink port
 * ({@link KafkaEngineDiscovery}); {@code --engine-host}, when given too, is dialled as well.
 */
public final class ClusterOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--kafka", paramLabel = "HOST:PORT[,...]",
            description = "Kafka brokers of the engines' cluster: the sink dials every engine the group --cluster lists,"
                    + " and engines that join later (with --cluster; instead of, or besides, --engine-host).")
    String kafka;

    @Option(names = "--cluster", paramLabel = "NAME",
            description = "Name of the engines' cluster (their --cluster): the Kafka consumer group whose members are"
                    + " the engines. Needs --kafka.")
    String cluster;

    @Option(names = "--discovery-interval", paramLabel = "DURATION", converter = DurationOption.class,
            defaultValue = "2s", description = "How often the cluster's members are asked for in Kafka (with --kafka).")
    Duration interval;

    /** Whether the sink was told to find its engines in Kafka. */
    public boolean discovering() {
        return kafka != null;
    }

    /**
     * Has {@code runner} find the cluster's engines in Kafka when {@code --kafka} was given; then the engines of
     * {@code settings} are dialled too only when {@code --engine-host} was given (its default is not a cluster's).
     *
     * @throws ConfigurationException when {@code --kafka} comes without {@code --cluster} or the other way
     *                                round, or {@code --discovery-interval} is not positive
     */
    public SinkRunner configure(SinkRunner runner, ConnectorSettings settings) {
        if (kafka != null && kafka.isBlank()) {
            throw new ConfigurationException("--kafka is empty; give the brokers as HOST:PORT[,...]");
        }
        if (kafka != null && (cluster == null || cluster.isBlank())) {
            throw new ConfigurationException("--kafka needs --cluster NAME: the cluster the engines were started with"
                    + " (their --cluster), whose members the sink dials");
        }
        if (kafka == null && cluster != null) {
            throw new ConfigurationException("--cluster needs --kafka HOST:PORT: where the cluster's members are listed");
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new ConfigurationException("--discovery-interval must be positive, was " + interval);
        }
        if (kafka == null) {
            return runner;
        }
        boolean engineHostGiven = command.commandLine().getParseResult().hasMatchedOption("--engine-host");
        return runner.discoverWith(new KafkaEngineDiscovery(kafka, cluster, interval,
                "wallaby-sink@" + settings.instanceName()), engineHostGiven);
    }
}
