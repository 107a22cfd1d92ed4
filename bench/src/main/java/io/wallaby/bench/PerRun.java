package io.wallaby.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A scenario's measurements by run index, so that a ratio only ever divides two values of the same run, and
 * a reader that failed in one run leaves that run out of its figures instead of shifting the others.
 */
final class PerRun {

    private final Map<String, Map<Integer, Double>> values = new ConcurrentHashMap<>();

    void put(String name, int run, double value) {
        values.computeIfAbsent(name, k -> new TreeMap<>()).put(run, value);
    }

    boolean has(String name) {
        return !values(name).isEmpty();
    }

    /** The value of {@code name} in {@code run}, or NaN. */
    double get(String name, int run) {
        return values.getOrDefault(name, Map.of()).getOrDefault(run, Double.NaN);
    }

    /** Every run's value of {@code name}, in run order. */
    List<Double> values(String name) {
        return new ArrayList<>(values.getOrDefault(name, Map.of()).values());
    }

    /** numerator / denominator of each run that has both. */
    List<Double> ratio(String numerator, String denominator) {
        List<Double> ratios = new ArrayList<>();
        Map<Integer, Double> over = values.getOrDefault(denominator, Map.of());
        values.getOrDefault(numerator, Map.of()).forEach((run, value) -> {
            Double by = over.get(run);
            if (by != null) {
                ratios.add(value / by);
            }
        });
        return ratios;
    }
}
