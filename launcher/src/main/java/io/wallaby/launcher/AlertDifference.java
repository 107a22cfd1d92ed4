package io.wallaby.launcher;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How the alerts in alert_log differ from the expected ones, as multisets: order aside, what is missing and
 * what is there once too often (a duplicate) or should not be there at all. Partitioned streams reach the
 * sink in no fixed order between them, so the comparison cannot be a list's.
 */
public record AlertDifference(int expected, int actual, List<String> missing, List<String> extra) {

    public static AlertDifference of(List<String> expected, List<String> actual) {
        Map<String, Integer> counts = new HashMap<>();
        actual.forEach(a -> counts.merge(a, 1, Integer::sum));
        List<String> missing = new ArrayList<>();
        for (String e : expected) {
            if (counts.merge(e, -1, Integer::sum) < 0) {
                missing.add(e);
            }
        }
        List<String> extra = new ArrayList<>();
        counts.forEach((alert, left) -> {
            for (int i = 0; i < left; i++) {
                extra.add(alert);
            }
        });
        return new AlertDifference(expected.size(), actual.size(), List.copyOf(missing), List.copyOf(extra));
    }

    /** True when alert_log holds exactly the expected alerts, each as often as expected. */
    public boolean none() {
        return missing.isEmpty() && extra.isEmpty();
    }

    /** One line for a person: the counts, and the first few of each kind of difference. */
    public String describe() {
        return "expected " + expected + " alerts, alert_log holds " + actual + ": " + missing.size() + " missing"
                + (missing.isEmpty() ? "" : " (first: " + missing.stream().limit(5).toList() + ")") + ", "
                + extra.size() + " duplicate or unexpected"
                + (extra.isEmpty() ? "" : " (first: " + extra.stream().limit(5).toList() + ")");
    }
}
