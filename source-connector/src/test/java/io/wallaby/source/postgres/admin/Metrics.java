package io.wallaby.source.postgres.admin;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Prometheus text exposition, read the way a scraper would: one sample per line, {@code name{labels} value}. */
public record Metrics(String text) {

    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** The value of the sample {@code name} whose labels are exactly {@code labels}. */
    public double value(String name, Map<String, String> labels) {
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            if (sample.matches() && sample.group(1).equals(name) && labels(sample.group(2)).equals(labels)) {
                return Double.parseDouble(sample.group(3));
            }
        }
        throw new AssertionError("no sample " + name + labels + " in:\n" + text);
    }

    private static Map<String, String> labels(String text) {
        java.util.HashMap<String, String> labels = new java.util.HashMap<>();
        if (text != null) {
            Matcher label = LABEL.matcher(text);
            while (label.find()) {
                labels.put(label.group(1), label.group(2));
            }
        }
        return labels;
    }
}
