package io.wallaby.engine.admin;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The figures of source connectors that have an admin port of their own ({@code --source-admin URL}): the
 * postgres source's replication slot lag and the age of what it sent and the engine has not acknowledged.
 * The engine reads each source's {@code /metrics} once per {@link #INTERVAL} and shows the last reading in
 * {@code /status}, so scripts and the web view get a slot's lag from the engine's one address, beside the
 * streams it belongs to, and the browser never has to reach the source (another port, maybe another host).
 *
 * <p>The reading runs on a thread of its own, never on an event loop: a slow or dead source admin port can
 * hold it for up to {@link #TIMEOUT}, and neither connectors nor admin requests wait for that. When a
 * source does not answer, its last figures stay, marked unreachable with the reason, and the failure is
 * logged once per run of failures.
 */
public final class SourceAdmins implements AutoCloseable {

    public static final Duration INTERVAL = Duration.ofSeconds(1);
    public static final Duration TIMEOUT = Duration.ofSeconds(2);

    /** The gauges read, by the name Prometheus gives them. */
    private static final String SLOT_LAG = "wallaby_source_slot_lag_bytes";
    private static final String RETAINED_WAL = "wallaby_source_slot_retained_wal_bytes";
    private static final String SLOT_ACTIVE = "wallaby_source_slot_active";
    private static final String LAG_SECONDS = "wallaby_source_lag_seconds";

    private static final Logger log = LoggerFactory.getLogger(SourceAdmins.class);

    /**
     * One stream of a source, as its admin port last described it; null where the source has no such
     * figure (a source without a slot, a slot not read yet).
     *
     * @param slotLagBytes     WAL the slot's consumer has not confirmed yet
     * @param retainedWalBytes WAL the slot keeps from removal
     * @param lagSeconds       age of the oldest change sent and not yet acknowledged by the engine
     */
    public record StreamFigures(String stream, String slot, Double slotLagBytes, Double retainedWalBytes,
                                Boolean slotActive, Double lagSeconds) {
    }

    /**
     * One source admin port: whether its last reading worked (and why not), how old the figures are (-1:
     * never read), its streams (one per partition stream of a partitioned source, each with its own slot), and
     * {@code maxSlotLagBytes}, the largest slot lag among them (null while none is known): the one figure to watch
     * for a source whose partitions each have a slot, since the slowest slot is the one that keeps WAL.
     */
    public record SourceAdminStatus(String url, boolean reachable, String error, double ageSeconds,
                                    List<StreamFigures> streams, Double maxSlotLagBytes) {

        SourceAdminStatus(String url, boolean reachable, String error, double ageSeconds,
                          List<StreamFigures> streams) {
            this(url, reachable, error, ageSeconds, streams, maxSlotLag(streams));
        }

        private static Double maxSlotLag(List<StreamFigures> streams) {
            Double max = null;
            for (StreamFigures stream : streams) {
                if (stream.slotLagBytes() != null && (max == null || stream.slotLagBytes() > max)) {
                    max = stream.slotLagBytes();
                }
            }
            return max;
        }
    }

    /** What one source's last reading left. */
    private record Reading(boolean reachable, String error, long readAtNanos, List<StreamFigures> streams) {
    }

    private static final class Source {
        final String address;
        final URI metrics;
        volatile Reading last = new Reading(false, "not read yet", -1, List.of());
        /** Whether the last attempt failed; the reading thread's alone. */
        boolean failing;

        Source(String address, URI metrics) {
            this.address = address;
            this.metrics = metrics;
        }
    }

    private final List<Source> sources = new ArrayList<>();
    /** HTTP/1.1: a source's admin port is a small HTTP/1.1 server, with nothing to gain from an upgrade attempt. */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).build();
    private ScheduledExecutorService reader;

    /**
     * @param addresses admin addresses, each valid by {@link #problem}
     * @throws IllegalArgumentException for an address that is not
     */
    public SourceAdmins(List<String> addresses) {
        for (String address : addresses) {
            String problem = problem(address);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            sources.add(new Source(address, metricsUri(address)));
        }
    }

    /**
     * What is wrong with {@code address} as a {@code --source-admin} value, in one sentence; null when it is a
     * source's admin address: {@code http://HOST:PORT}, optionally ending in {@code /} or {@code /metrics}.
     */
    public static String problem(String address) {
        if (!address.contains("://")) {
            return "--source-admin " + address + " must start with http:// (the source's admin port), such as "
                    + "http://127.0.0.1:7400";
        }
        URI uri;
        try {
            uri = new URI(address);
        } catch (URISyntaxException e) {
            return "--source-admin " + address + " is not a URL (" + e.getReason() + "); give the source's admin "
                    + "address, such as http://127.0.0.1:7400";
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            return "--source-admin " + address + " must start with http:// (the source's admin port), such as "
                    + "http://127.0.0.1:7400";
        }
        if (uri.getHost() == null || uri.getPort() < 1) {
            return "--source-admin " + address + " needs a host and a port, such as http://127.0.0.1:7400";
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (!path.isEmpty() && !path.equals("/") && !path.equals("/metrics") || uri.getQuery() != null) {
            return "--source-admin " + address + " must name the admin port only (or its /metrics), not " + path
                    + (uri.getQuery() == null ? "" : "?" + uri.getQuery());
        }
        return null;
    }

    private static URI metricsUri(String address) {
        URI uri = URI.create(address);
        return uri.getPath() != null && uri.getPath().equals("/metrics") ? uri : uri.resolve("/metrics");
    }

    /** Starts reading every source once per {@link #INTERVAL}; nothing to do when there are none. */
    public synchronized void start() {
        if (sources.isEmpty() || reader != null) {
            return;
        }
        reader = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "wallaby-source-admin");
            thread.setDaemon(true);
            return thread;
        });
        reader.scheduleWithFixedDelay(this::readAll, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Every source's last reading, in the order of the flags. */
    public List<SourceAdminStatus> status() {
        long now = System.nanoTime();
        return sources.stream().map(source -> {
            Reading r = source.last;
            double age = r.readAtNanos() < 0 ? -1 : Math.round((now - r.readAtNanos()) / 1e8) / 10.0;
            return new SourceAdminStatus(source.address, r.reachable(), r.error(), age, r.streams());
        }).toList();
    }

    private void readAll() {
        for (Source source : sources) {
            try {
                read(source);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // One bad answer must not end the schedule: it is recorded as the reading's error.
                failed(source, e.toString());
            }
        }
    }

    private void read(Source source) throws InterruptedException {
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(source.metrics).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            failed(source, "cannot reach " + source.metrics + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
            return;
        }
        if (response.statusCode() != 200) {
            failed(source, source.metrics + " answered HTTP " + response.statusCode());
            return;
        }
        List<StreamFigures> streams;
        try {
            streams = figures(PrometheusText.parse(response.body()));
        } catch (IllegalArgumentException e) {
            failed(source, source.metrics + " is not a Prometheus endpoint: " + e.getMessage());
            return;
        }
        if (source.failing) {
            log.info("source admin {} answers again", source.metrics);
            source.failing = false;
        }
        source.last = new Reading(true, null, System.nanoTime(), streams);
    }

    /**
     * Keeps the last figures, marked unreachable with the reason; logs the first failure of a run: a warning once
     * the source has answered before, a note while it never has (an engine usually starts before its sources).
     */
    private void failed(Source source, String reason) {
        Reading last = source.last;
        if (!source.failing) {
            if (last.readAtNanos() < 0) {
                log.info("{}; not up yet? /status says so until it answers", reason);
            } else {
                log.warn("{}; /status shows its last figures, marked unreachable, until it answers", reason);
            }
            source.failing = true;
        }
        source.last = new Reading(false, reason, last.readAtNanos(), last.streams());
    }

    /** The figures of each stream the samples name (a {@code stream} label), by stream name. */
    static List<StreamFigures> figures(List<PrometheusText.Sample> samples) {
        Map<String, Map<String, PrometheusText.Sample>> byStream = new TreeMap<>();
        for (PrometheusText.Sample sample : samples) {
            String stream = sample.labels().get("stream");
            if (stream != null && List.of(SLOT_LAG, RETAINED_WAL, SLOT_ACTIVE, LAG_SECONDS).contains(sample.name())) {
                byStream.computeIfAbsent(stream, s -> new TreeMap<>()).put(sample.name(), sample);
            }
        }
        List<StreamFigures> figures = new ArrayList<>();
        byStream.forEach((stream, named) -> {
            PrometheusText.Sample any = named.values().iterator().next();
            Double active = number(named.get(SLOT_ACTIVE));
            figures.add(new StreamFigures(stream, any.labels().get("slot"), number(named.get(SLOT_LAG)),
                    number(named.get(RETAINED_WAL)), active == null ? null : active == 1, number(named.get(LAG_SECONDS))));
        });
        return figures;
    }

    /** A sample's value; null when absent or not a number (NaN: the source does not know it yet). */
    private static Double number(PrometheusText.Sample sample) {
        return sample == null || !Double.isFinite(sample.value()) ? null : sample.value();
    }

    @Override
    public synchronized void close() {
        if (reader != null) {
            reader.shutdownNow();
        }
    }
}
