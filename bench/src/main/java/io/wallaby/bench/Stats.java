package io.wallaby.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The median, min and max of one figure over the runs; the median is what targets are judged on. */
public record Stats(double median, double min, double max, int runs) {

    public static Stats of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        // An even count takes the mean of the middle two, so two runs do not favour either.
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Stats(median, sorted.get(0), sorted.get(n - 1), n);
    }
}
