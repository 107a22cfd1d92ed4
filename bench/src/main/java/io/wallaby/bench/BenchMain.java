package io.wallaby.bench;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code ./launch.sh bench}: runs the scenarios, prints the table and writes it as Markdown to
 * {@code <output-dir>/latest.md} and a dated copy beside it.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, showDefaultValues = true,
        subcommands = DebeziumReader.class,
        description = "Measures Wallaby against PostgreSQL's own limits and Debezium on this machine, in one run.")
public final class BenchMain implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(BenchMain.class);

    private static final List<Scenario> ALL = List.of(new EngineAloneScenario(), new PostgresLimitScenario(),
            new EndToEndRateScenario(), new LatencyScenario(), new SameWalScenario(), new SinkVsCopyScenario(),
            new MemoryScenario(), new StateThroughputScenario(), new CheckpointScenario(), new RecoveryScenario(),
            new ClusterScenario());

    @Option(names = "--runs", description = "Runs of each scenario; every figure is their median, with min and max.")
    int runs = 3;

    @Option(names = "--scenarios", split = ",", paramLabel = "NAME",
            description = "Which scenarios, comma-separated: all, or any of engine, postgres, endtoend, latency, "
                    + "peer, sink, memory, state, checkpoint, recovery, cluster.")
    List<String> scenarios = List.of("all");

    @Option(names = "--rows", description = "Rows (messages) per run in every scenario, instead of each scenario's "
            + "own default (engine 2,000,000; postgres, endtoend, sink 200,000; peer 800,000; state 2,000,000 and "
            + "checkpoint 1,000,000 after their 1,000,000-key fill). Latency runs by time, memory by its 100,000 "
            + "pending outputs, recovery by its 1,000,000-key fill.")
    Integer rows;

    @Option(names = "--output-dir", description = "Where latest.md and the dated copy go.")
    Path outputDir = Path.of("bench/results");

    @Option(names = "--home", description = "The Wallaby checkout whose engine and connector jars are run.")
    Path home = Path.of(".");

    @Option(names = "--watch", description = "Scenario 1 (engine) only: none (no admin port, as always), admin (the "
            + "engine's admin port on, nothing reading it) or page (the admin port on and its web view open in headless "
            + "Chromium, polling /status every second): what watching the engine costs it.")
    BenchContext.Watch watch = BenchContext.Watch.none;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (runs < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--runs must be at least 1");
        }
        List<Scenario> selected = select();
        Machine machine = Machine.describe();
        BenchContext context = new BenchContext(home, home.resolve(".wallaby/bench-logs").toAbsolutePath(), runs, rows,
                watch);
        List<Figure> figures = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        long started = System.nanoTime();
        for (Scenario scenario : selected) {
            log.info("{} ...", scenario.title());
            long t = System.nanoTime();
            try {
                figures.addAll(scenario.run(context));
            } catch (Exception | Error e) {
                // One scenario failing must not lose the others' figures: say so in the report instead.
                log.error("{} failed", scenario.title(), e);
                failures.add(scenario.title() + ": " + e);
            }
            log.info("{} took {} s", scenario.title(), String.format("%.0f", (System.nanoTime() - t) / 1e9));
        }
        double minutes = (System.nanoTime() - started) / 60e9;
        // Scenario order (by number: 10 after 9), the memory lines (reported by 1, 3 and 8 too) gathered under 7.
        figures.sort(Comparator.comparingInt((Figure f) -> number(f.scenario())).thenComparing(Figure::scenario));
        String report = Report.markdown(machine, this, figures, context.notes(), failures, minutes);
        System.out.println(report);
        Files.createDirectories(outputDir);
        Files.writeString(outputDir.resolve("latest.md"), report);
        Files.writeString(outputDir.resolve("bench-" + machine.fileStamp() + ".md"), report);
        log.info("written to {}", outputDir.resolve("latest.md").toAbsolutePath());
        return failures.isEmpty() ? 0 : 1;
    }

    /** The number a scenario's title starts with ("10. Recovery" is 10); titles without one go last. */
    static int number(String title) {
        int dot = title.indexOf('.');
        try {
            return Integer.parseInt(title.substring(0, Math.max(0, dot)).trim());
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    /** The command line as given, for the report. */
    String describeOptions() {
        return "--runs " + runs + " --scenarios " + String.join(",", scenarios)
                + (rows != null ? " --rows " + rows : "") + (watch != BenchContext.Watch.none ? " --watch " + watch : "");
    }

    private List<Scenario> select() {
        if (scenarios.contains("all")) {
            return ALL;
        }
        Map<String, Scenario> byKey = ALL.stream().collect(Collectors.toMap(Scenario::key, Function.identity()));
        List<Scenario> chosen = new ArrayList<>();
        for (String key : scenarios) {
            Scenario s = byKey.get(key.trim());
            if (s == null) {
                throw new CommandLine.ParameterException(new CommandLine(this), "unknown scenario '" + key
                        + "'; choose from all, " + Stream.of(ALL.toArray(Scenario[]::new)).map(Scenario::key)
                        .collect(Collectors.joining(", ")));
            }
            chosen.add(s);
        }
        // Run in the scenarios' own order whatever order they were named in: 3 needs 2's figures first.
        chosen.sort((a, b) -> Integer.compare(ALL.indexOf(a), ALL.indexOf(b)));
        return chosen;
    }
}
