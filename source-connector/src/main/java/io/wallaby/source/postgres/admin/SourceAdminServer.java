package io.wallaby.source.postgres.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.wallaby.connector.postgres.ConnectionString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The postgres source's admin HTTP port ({@code --admin-port}), like the engine's, over every stream the source
 * captures (one, or one per partition stream with {@code --partitions N}, each with its own slot):
 * <ul>
 *   <li>{@code GET /health}: 200 {@code ok} while every stream's {@link SourceFigures#health()} says so, else 503
 *       with the first reason (naming its stream when there are several);</li>
 *   <li>{@code GET /metrics}: Prometheus text, one series per stream and slot (see {@link SourceMetrics} for the
 *       names).</li>
 * </ul>
 *
 * <h2>Why the JDK's HTTP server and not Netty</h2>
 * Netty is on the classpath (the protocol module), and the engine's admin port uses it; but the source is
 * blocking JDBC code with no event loop of its own, and a scrape here runs a JDBC query (the slot's
 * figures), which must not run on an event loop. {@code com.sun.net.httpserver} (module jdk.httpserver, in
 * every JDK) serves two fixed paths on a small thread pool of its own in a few lines, with no pipeline to
 * assemble and no blocking work to hand off. Two threads: a scrape waiting on a slow database still leaves
 * one to answer {@code /health}.
 *
 * <p>Binds to the given host ({@link #DEFAULT_HOST} unless told otherwise); port 0 takes any free port,
 * {@link #port()} says which. {@link #close()} stops listening, ends the threads and closes the slot poller's
 * connection.
 */
public final class SourceAdminServer implements AutoCloseable {

    /** Where the admin port listens unless told otherwise: this machine only. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    private static final Logger log = LoggerFactory.getLogger(SourceAdminServer.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";

    /**
     * One stream the admin port reports on.
     *
     * @param stream  the stream's name, the {@code stream} tag ({@code transactions}, or a partition stream's
     *                {@code transactions.3})
     * @param slot    its replication slot, the {@code slot} tag; null for a stream without one (table capture)
     * @param figures its capture's figures and health
     */
    public record Reported(String stream, String slot, SourceFigures figures) {
        public Reported {
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(figures, "figures");
        }
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final SourceMetrics metrics;
    private final SlotStatusPoller slot;
    private final List<Reported> streams;
    private boolean closed;

    private SourceAdminServer(HttpServer server, ExecutorService threads, SourceMetrics metrics,
                              SlotStatusPoller slot, List<Reported> streams) {
        this.server = server;
        this.threads = threads;
        this.metrics = metrics;
        this.slot = slot;
        this.streams = streams;
    }

    /**
     * Starts the admin port of a logical-decoding source: its figures, and the slot's read on its own
     * connection to {@code database} (at most once a second, see {@link SlotStatusPoller}).
     *
     * @param host     the address to bind, e.g. {@link #DEFAULT_HOST}
     * @param port     the TCP port; 0 for any free one
     * @param stream   the source stream's name, the {@code stream} tag
     * @param slot     the replication slot's name, the {@code slot} tag
     * @param database where the slot is
     * @param figures  the capture's figures and health
     * @throws IOException when the port cannot be bound (in use, or the host is not an address of this machine)
     */
    public static SourceAdminServer start(String host, int port, String stream, String slot,
                                          ConnectionString database, SourceFigures figures) throws IOException {
        return start(host, port, stream, SlotStatusPoller.connectingTo(database, List.of(slot)), figures);
    }

    /**
     * Starts the admin port of one stream with a slot poller of the caller's making (of that one slot), or none
     * ({@code null}: a source without a slot, such as the table capture; then there are no slot meters and no
     * {@code slot} tag). The server owns the poller from here on and closes it.
     */
    public static SourceAdminServer start(String host, int port, String stream, SlotStatusPoller slot,
                                          SourceFigures figures) throws IOException {
        return start(host, port, List.of(new Reported(stream, slot == null ? null : slot.slots().get(0), figures)),
                slot);
    }

    /**
     * Starts the admin port of several streams (a partitioned source's), each with its figures and, where it has
     * one, its slot; {@code slots} reads every slot they name (null when none has a slot). The server owns the
     * poller from here on and closes it.
     */
    public static SourceAdminServer start(String host, int port, List<Reported> streams, SlotStatusPoller slots)
            throws IOException {
        HttpServer server;
        try {
            if (streams.isEmpty()) {
                throw new IllegalArgumentException("an admin port reports on at least one stream");
            }
            for (Reported stream : streams) {
                if (stream.slot() != null && (slots == null || !slots.slots().contains(stream.slot()))) {
                    throw new IllegalArgumentException("stream " + stream.stream() + "'s slot " + stream.slot()
                            + " is not among the slots read: " + (slots == null ? "none" : slots.slots()));
                }
            }
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IllegalArgumentException e) {
            if (slots != null) {
                slots.close();
            }
            throw e;
        } catch (IOException e) {
            if (slots != null) {
                slots.close();
            }
            throw new IOException("cannot listen on " + host + ":" + port + " for --admin-port (" + e.getMessage()
                    + "): is the port in use, or the host not an address of this machine?", e);
        }
        AtomicInteger count = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "wallaby-source-admin-" + count.incrementAndGet());
            t.setDaemon(true); // never what keeps the process alive
            return t;
        });
        List<Reported> reported = List.copyOf(streams);
        SourceAdminServer admin = new SourceAdminServer(server, threads, new SourceMetrics(reported, slots),
                slots, reported);
        server.setExecutor(threads);
        server.createContext("/", admin::handle);
        server.start();
        log.info("admin port on http://{}:{}/ (/health, /metrics)", host, admin.port());
        return admin;
    }

    /** The port bound (the free one chosen when started with 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The registry behind {@code /metrics}, for a caller that wants to add meters of its own. */
    public MeterRegistry registry() {
        return metrics.registry();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            if (!"GET".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, TEXT, "only GET\n");
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case "/health" -> {
                    SourceFigures.Health health = health();
                    reply(exchange, health.ok() ? 200 : 503, TEXT, (health.ok() ? "ok" : health.reason()) + "\n");
                }
                case "/metrics" -> reply(exchange, 200, PROMETHEUS_TEXT, metrics.scrape());
                default -> reply(exchange, 404, TEXT, "try /health or /metrics\n");
            }
        } catch (RuntimeException e) {
            // The capture's figures failing must show as a failed request, not a silently dropped connection.
            // (Every answer is computed before its headers go out, so a 500 can still be sent.)
            log.warn("admin request {} failed", exchange.getRequestURI(), e);
            reply(exchange, 500, TEXT, "internal error: " + e + "\n");
        } finally {
            exchange.close();
        }
    }

    /** Ok while every stream is; else the first stream's reason, naming the stream when there are several. */
    private SourceFigures.Health health() {
        for (Reported stream : streams) {
            SourceFigures.Health health = stream.figures().health();
            if (!health.ok()) {
                return streams.size() == 1 ? health
                        : SourceFigures.Health.down(stream.stream() + ": " + health.reason());
            }
        }
        return SourceFigures.Health.OK;
    }

    private static void reply(HttpExchange exchange, int code, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops listening, ends the threads (an exchange in progress is cut off) and closes the slot's connection. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // 0: do not wait for exchanges; JDK 17's stop(n) waits the whole n seconds even when none is open.
        server.stop(0);
        threads.shutdownNow();
        try {
            if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("admin port threads still busy after 5 s; leaving them (daemon threads)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        metrics.close();
        if (slot != null) {
            slot.close();
        }
        log.info("admin port closed");
    }
}
