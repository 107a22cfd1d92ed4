package io.wallaby.bench;

import io.wallaby.connector.EngineAddress;
import io.wallaby.kafkabroker.KafkaBrokerProcess;
import io.wallaby.launcher.EngineCluster;
import io.wallaby.launcher.Pieces;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * 11. Cluster: the engine-alone load (pre-encoded transactions as fast as credits allow, a counting sink) spread
 * over {@value #STREAMS} streams and sent to a cluster of 1, 2 and 3 engines coordinated by a Kafka broker (a
 * process, as {@code ./launch.sh kafka} runs it), once with alert_stateless and once with velocity_alerts, whose
 * checkpoints then go to the cluster's Kafka topic. The source and the sink are told every engine's address;
 * each stream goes to the engine that serves its partition. On a machine of two cores the engines share the
 * same cores, so more engines cannot carry more: the figures show what the cluster costs (redirects, more
 * connections, more processes on the cores, checkpoints in Kafka transactions), not how it scales.
 */
final class ClusterScenario extends AbstractScenario {

    static final String KEY = "cluster";
    private static final Logger log = LoggerFactory.getLogger(ClusterScenario.class);
    private static final int DEFAULT_ROWS = 1_000_000;
    private static final int WARM_UP_ROWS = 500_000;
    private static final int STREAMS = 12;
    private static final int ACCOUNTS = 1000;
    private static final int PARTITIONS = 64;
    private static final int MAX_ENGINES = 3;
    private static final List<String> APPLICATIONS = List.of("alert_stateless", KeyedLoad.APPLICATION);

    ClusterScenario() {
        super(KEY, "11. Cluster");
    }

    @Override
    public List<Figure> run(BenchContext context) throws Exception {
        int rows = context.rows(DEFAULT_ROWS);
        long step = KeyedLoad.stepMicros(WARM_UP_ROWS + (long) rows);
        KeyedLoad warm = KeyedLoad.of(0, WARM_UP_ROWS, ACCOUNTS, STREAMS, step);
        KeyedLoad load = KeyedLoad.of(WARM_UP_ROWS, rows, ACCOUNTS, STREAMS, step);

        // Per application, then per number of engines: the runs' figures.
        List<List<List<Double>>> rates = new ArrayList<>();
        List<List<List<Double>>> cpu = new ArrayList<>();
        for (int app = 0; app < APPLICATIONS.size(); app++) {
            rates.add(new ArrayList<>());
            cpu.add(new ArrayList<>());
            for (int engines = 1; engines <= MAX_ENGINES; engines++) {
                rates.get(app).add(new ArrayList<>());
                cpu.get(app).add(new ArrayList<>());
            }
        }
        for (int run = 1; run <= context.runs(); run++) {
            Path kafkaDir = Files.createTempDirectory("wallaby-bench-kafka");
            try (KafkaBrokerProcess kafka = KafkaBrokerProcess.startInCheckout(context.home(), kafkaDir)) {
                for (int app = 0; app < APPLICATIONS.size(); app++) {
                    String application = APPLICATIONS.get(app);
                    for (int engines = 1; engines <= MAX_ENGINES; engines++) {
                        measure(context, kafka, application, engines, run, warm, load, rates.get(app).get(engines - 1),
                                cpu.get(app).get(engines - 1));
                    }
                }
            }
        }
        context.note("Cluster: the load of scenario 1 (alert_stateless) and of scenario 8 (velocity_alerts, --app-config "
                + "window=" + KeyedLoad.WINDOW_SECONDS + ", its checkpoints in the cluster's Kafka topic) over " + STREAMS
                + " streams, sent by one in-process SDK source told every engine's address (each stream redirected to "
                + "its owner) and read by one in-process SDK sink that drains every engine; a Kafka broker process "
                + "coordinates the engines (" + PARTITIONS + " partitions). " + WARM_UP_ROWS + " messages first, not "
                + "measured, then " + rows + "; time until every stream's last message is acknowledged. CPU: "
                + "utime+stime of every engine process. On 2 cores the engines share the cores: this shows the cost "
                + "of the cluster, not scaling.");
        List<Figure> figures = new ArrayList<>();
        for (int app = 0; app < APPLICATIONS.size(); app++) {
            for (int engines = 1; engines <= MAX_ENGINES; engines++) {
                String of = engines + (engines == 1 ? " engine" : " engines") + ", " + APPLICATIONS.get(app);
                figures.add(Figure.of(title(), "messages/s through a cluster of " + of, "msg/s",
                        rates.get(app).get(engines - 1)));
                figures.add(Figure.of(title(), "engines' CPU per million messages, " + of, "CPU s",
                        cpu.get(app).get(engines - 1)));
            }
        }
        return figures;
    }

    /** One run of {@code application} on a cluster of {@code engines}: adds its rate and CPU to the lists. */
    private static void measure(BenchContext context, KafkaBrokerProcess kafka, String application, int engines, int run,
                                KeyedLoad warm, KeyedLoad load, List<Double> rates, List<Double> cpu) throws Exception {
        int rows = load.size();
        List<String> engineArgs = application.equals(KeyedLoad.APPLICATION)
                ? List.of("--application", application, "--app-config", "window=" + KeyedLoad.WINDOW_SECONDS)
                : List.of("--application", application);
        try (Pieces pieces = context.pieces(KEY + "-" + application + "-" + engines, run)) {
            EngineCluster cluster = new EngineCluster(pieces, kafka.bootstrap(), "bench-" + application
                    + "-" + run + "-" + engines, PARTITIONS, engines, engineArgs);
            List<Long> pids = new ArrayList<>();
            for (int e = 1; e <= engines; e++) {
                pids.add(cluster.start(e).process().pid());
            }
            cluster.awaitEveryPartitionServed(Duration.ofMinutes(2));
            try (CountingSink sink = new CountingSink(addresses(cluster, false));
                 KeyedSource source = new KeyedSource(addresses(cluster, true), warm.streams)) {
                source.writeAll(warm);
                source.awaitAcknowledged(warm, Duration.ofMinutes(2));
                double cpuBefore = ProcFs.cpuSeconds(pids);
                long start = System.nanoTime();
                source.writeAll(load);
                long end = source.awaitAcknowledged(load, Duration.ofMinutes(5));
                double seconds = (end - start) / 1e9;
                double engineCpu = ProcFs.cpuSeconds(pids) - cpuBefore;
                rates.add(rows / seconds);
                cpu.add(engineCpu / rows * 1e6);
                log.info("{} on a cluster of {}, run {}: {} messages in {} s ({} msg/s), engines' CPU {} s, "
                        + "{} alerts read by the sink", application, engines, run, rows,
                        String.format("%.2f", seconds), String.format("%.0f", rows / seconds),
                        String.format("%.2f", engineCpu), sink.count());
            }
        }
    }

    private static List<EngineAddress> addresses(EngineCluster cluster, boolean sources) {
        List<EngineAddress> addresses = new ArrayList<>();
        for (EngineCluster.Member member : cluster.members()) {
            Pieces.EnginePorts ports = member.ports();
            addresses.add(new EngineAddress("127.0.0.1", sources ? ports.source() : ports.sink()));
        }
        return addresses;
    }
}
