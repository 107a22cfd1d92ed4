package io.wallaby.bench;

import java.util.List;
import java.util.function.DoublePredicate;

/**
 * One line of the report: a measured figure over the runs and, when the issue sets one, its target and
 * whether the median meets it.
 *
 * @param target what the target says, e.g. "≥ 1,000,000"; empty when there is none
 * @param met    null when there is no target
 */
public record Figure(String scenario, String name, String unit, Stats stats, String target, Boolean met) {

    public static Figure of(String scenario, String name, String unit, List<Double> values) {
        return new Figure(scenario, name, unit, Stats.of(values), "", null);
    }

    public static Figure withTarget(String scenario, String name, String unit, List<Double> values,
                                    String target, DoublePredicate meets) {
        Stats stats = Stats.of(values);
        return new Figure(scenario, name, unit, stats, target, meets.test(stats.median()));
    }
}
