package io.wallaby.bench;

import io.wallaby.launcher.Pieces;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * 7. Memory. Scenarios 1 and 3 report each process's peak RSS themselves (VmHWM at the end of each run,
 * which covers the whole run since every run starts fresh processes); this adds the engine holding
 * {@value #PENDING} outputs while no sink is connected, with default settings.
 */
final class MemoryScenario extends AbstractScenario {

    static final String KEY = "memory";
    static final String TITLE = "7. Memory";
    static final int PENDING = 100_000;
    private static final Logger log = LoggerFactory.getLogger(MemoryScenario.class);

    MemoryScenario() {
        super(KEY, TITLE);
    }

    @Override
    public List<Figure> run(BenchContext context) throws Exception {
        // Every transaction raises an alert: 100,000 inputs leave 100,000 outputs pending.
        byte[][] payloads = TransactionLoad.allAlerting(0, PENDING).jsonPayloads();
        List<Double> rss = new ArrayList<>();
        List<Double> pendingSeen = new ArrayList<>();
        for (int run = 1; run <= context.runs(); run++) {
            try (Pieces pieces = context.pieces(KEY, run)) {
                int adminPort = freePort();
                // The admin port is off by default; it is the only outside view of the engine's pending outputs.
                pieces.startEngine("--admin-port", Integer.toString(adminPort));
                long engine = ProcFs.childRunning("wallaby-engine.jar");
                SyntheticSource source = new SyntheticSource(pieces.sourcePort());
                try {
                    // Writes block once the engine stops granting credit (its pending limit), so write on
                    // another thread and wait for the engine to acknowledge what it has taken in.
                    Thread writer = new Thread(() -> source.writeAll(payloads), "bench-memory-writer");
                    writer.setDaemon(true);
                    writer.start();
                    long acked = awaitSettled(adminPort, Duration.ofMinutes(2));
                    rss.add(ProcFs.peakRssMiB(engine));
                    pendingSeen.add((double) acked);
                    log.info("memory run {}: {} outputs pending, engine peak RSS {} MiB", run, acked,
                            String.format("%.0f", rss.get(rss.size() - 1)));
                } finally {
                    // No sink will ever take the outputs: stop the engine first so closing cannot wait long.
                    pieces.close();
                    source.abandon();
                }
            }
        }
        context.note("Memory: peak RSS is VmHWM from /proc/<pid>/status. Pending outputs: " + PENDING + " "
                + "transactions that all raise alerts sent to an engine with default settings and no sink; the "
                + "figure is read once the engine's wallaby_outputs_pending gauge (admin port /metrics, the one "
                + "non-default flag here) reaches " + PENDING + " or stays still for 1 s.");
        return List.of(
                Figure.of(TITLE, "outputs pending in the engine (its /metrics)", "outputs", pendingSeen),
                Figure.withTarget(TITLE, "engine peak RSS, " + String.format("%,d", PENDING)
                        + " outputs pending, no sink", "MiB", rss, "< 512", v -> v < 512));
    }

    /** Waits until the engine's pending outputs reach PENDING or stop moving for a second; returns them. */
    private static long awaitSettled(int adminPort, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1;
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long pending = pendingOutputs(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
            if (pending >= PENDING) {
                return pending;
            }
            if (pending != last) {
                last = pending;
                stableSince = System.nanoTime();
            } else if (pending > 0 && System.nanoTime() - stableSince > 1_000_000_000L) {
                return pending;
            }
            Thread.sleep(50);
        }
        return last;
    }

    /** The wallaby_outputs_pending gauge from Prometheus text; -1 when the engine does not report it. */
    static long pendingOutputs(String metrics) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith("wallaby_outputs_pending")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
