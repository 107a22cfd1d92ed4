package io.wallaby.engine.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the samples of a Prometheus text exposition (format 0.0.4): what a source connector's admin port
 * answers on {@code /metrics}. Only what {@link SourceAdmins} needs: names, labels and values; comments,
 * timestamps and types are skipped. A small reader of our own rather than a client library, because the
 * engine only reads a handful of gauges that our own connectors write.
 */
final class PrometheusText {

    /** One sample: {@code name{labels} value}. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private PrometheusText() {
    }

    /**
     * The samples of {@code text}, in order.
     *
     * @throws IllegalArgumentException naming the line, when a line is not a sample (the peer is not a
     *                                  Prometheus endpoint)
     */
    static List<Sample> parse(String text) {
        List<Sample> samples = new ArrayList<>();
        int lineNumber = 0;
        for (String line : text.split("\n")) {
            lineNumber++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            try {
                samples.add(sample(trimmed));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("line " + lineNumber + " is not a Prometheus sample ("
                        + e.getMessage() + "): " + abbreviate(trimmed));
            }
        }
        return samples;
    }

    private static Sample sample(String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        Map<String, String> labels = new LinkedHashMap<>();
        String name;
        int rest;
        if (brace >= 0 && (space < 0 || brace < space)) {
            name = line.substring(0, brace);
            rest = labels(line, brace + 1, labels);
        } else if (space > 0) {
            name = line.substring(0, space);
            rest = space;
        } else {
            throw new IllegalArgumentException("no value");
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("no metric name");
        }
        String[] valueAndTime = line.substring(rest).strip().split("\\s+");
        return new Sample(name, labels, value(valueAndTime[0]));
    }

    /** Reads {@code a="x",b="y"}} from {@code from} into {@code labels}; returns the index after the brace. */
    private static int labels(String line, int from, Map<String, String> labels) {
        int i = from;
        while (true) {
            while (i < line.length() && (line.charAt(i) == ',' || line.charAt(i) == ' ')) {
                i++;
            }
            if (i >= line.length()) {
                throw new IllegalArgumentException("labels not closed");
            }
            if (line.charAt(i) == '}') {
                return i + 1;
            }
            int equals = line.indexOf('=', i);
            if (equals < 0 || equals + 1 >= line.length() || line.charAt(equals + 1) != '"') {
                throw new IllegalArgumentException("a label without a quoted value");
            }
            String key = line.substring(i, equals).strip();
            StringBuilder value = new StringBuilder();
            i = equals + 2;
            while (true) {
                if (i >= line.length()) {
                    throw new IllegalArgumentException("a label value not closed");
                }
                char c = line.charAt(i++);
                if (c == '"') {
                    break;
                }
                if (c == '\\' && i < line.length()) {
                    char escaped = line.charAt(i++);
                    value.append(escaped == 'n' ? '\n' : escaped);
                } else {
                    value.append(c);
                }
            }
            labels.put(key, value.toString());
        }
    }

    private static double value(String text) {
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("the value " + text + " is not a number");
                }
            }
        };
    }

    private static String abbreviate(String line) {
        return line.length() <= 120 ? line : line.substring(0, 120) + "...";
    }
}
