package io.wallaby.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What Linux tells about a process in /proc: CPU time used and peak resident memory. Read from outside the
 * process so the figures include everything the JVM does (GC, JIT, Netty threads), not just the heap.
 */
final class ProcFs {

    /** Clock ticks per second of utime/stime; 100 on every Linux the benchmark targets (USER_HZ). */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcFs() {
    }

    /** User plus system CPU seconds the process has used so far. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name here.
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/stat: " + e.getMessage(), e);
        }
    }

    /** User plus system CPU seconds used so far by {@code pids} together; a process that has exited counts 0. */
    static double cpuSeconds(java.util.Collection<Long> pids) {
        double sum = 0;
        for (long pid : pids) {
            if (Files.exists(Path.of("/proc", Long.toString(pid), "stat"))) {
                try {
                    sum += cpuSeconds(pid);
                } catch (IllegalStateException exited) {
                    // gone between the check and the read
                }
            }
        }
        return sum;
    }

    /** Peak resident set size (VmHWM) in MiB: the high-water mark since the process started. */
    static double peakRssMiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
            throw new IllegalStateException("/proc/" + pid + "/status has no VmHWM");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/status: " + e.getMessage(), e);
        }
    }

    /**
     * The pid of the child process running {@code jarName}. PieceProcess does not expose its Process, and
     * the launcher is not ours to change, so the child is found by its command line.
     */
    static long childRunning(String jarName) {
        Optional<ProcessHandle> child = ProcessHandle.current().children()
                .filter(ProcessHandle::isAlive)
                .filter(h -> h.info().commandLine().orElse("").contains(jarName))
                .reduce((a, b) -> b.pid() > a.pid() ? b : a); // the newest when an old one is still exiting
        return child.orElseThrow(() -> new IllegalStateException("no child process runs " + jarName)).pid();
    }
}
