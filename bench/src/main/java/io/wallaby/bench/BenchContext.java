package io.wallaby.bench;

import io.wallaby.launcher.Pieces;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every scenario needs: the checkout whose jars are run, the number of runs, the row counts, and the
 * per-run figures one scenario leaves for another's ratio (scenario 3 divides by scenario 2 of the same
 * run index), plus notes that end up under the table.
 */
final class BenchContext {

    /** How scenario 1's engine is watched while it runs ({@code --watch}). */
    enum Watch { none, admin, page }

    private final Path home;
    private final Path logDir;
    private final int runs;
    private final Integer rowsOverride;
    private final Watch watch;
    private final Map<String, List<Double>> shared = new ConcurrentHashMap<>();
    private final List<String> notes = new ArrayList<>();

    BenchContext(Path home, Path logDir, int runs, Integer rowsOverride, Watch watch) {
        this.home = home;
        this.logDir = logDir;
        this.runs = runs;
        this.rowsOverride = rowsOverride;
        this.watch = watch;
    }

    Watch watch() {
        return watch;
    }

    int runs() {
        return runs;
    }

    /** --rows when given, otherwise the scenario's own default. */
    int rows(int scenarioDefault) {
        return rowsOverride != null ? rowsOverride : scenarioDefault;
    }

    /** Fresh pieces on free ports; their logs go to one folder per scenario and run. */
    /** The checkout whose jars are run. */
    Path home() {
        return home;
    }

    Pieces pieces(String scenario, int run) throws IOException {
        return new Pieces(home, logs(scenario, run), 0, 0);
    }

    /** Fresh pieces for one part of a run (one reader of several), logging to a subfolder of the run's folder. */
    Pieces pieces(String scenario, int run, String part) throws IOException {
        return new Pieces(home, logs(scenario, run).resolve(part), 0, 0);
    }

    /** The folder of a scenario's run: .wallaby/bench-logs/<scenario>-<run>. */
    Path logs(String scenario, int run) {
        return logDir.resolve(scenario + "-" + run);
    }

    void share(String key, List<Double> perRun) {
        shared.put(key, List.copyOf(perRun));
    }

    List<Double> shared(String key) {
        return shared.getOrDefault(key, List.of());
    }

    synchronized void note(String text) {
        notes.add(text);
    }

    synchronized List<String> notes() {
        return List.copyOf(notes);
    }
}
