package io.wallaby.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** The machine and the moment the figures belong to: they mean nothing without them. */
record Machine(ZonedDateTime when, int cores, double memoryGiB, String cpu, String os, String java) {

    static Machine describe() {
        return new Machine(ZonedDateTime.now(ZoneOffset.UTC), Runtime.getRuntime().availableProcessors(),
                memTotalKiB() / 1024.0 / 1024.0, cpuModel(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    }

    String date() {
        return when.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
    }

    String fileStamp() {
        return when.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HHmm"));
    }

    private static long memTotalKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            // not Linux: reported as 0
        }
        return 0;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return "unknown";
    }
}
