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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The postgres source's admin HTTP port ({@code --admin-port}), like the engine's:
 * <ul>
 *   <li>{@code GET /health}: 200 {@code ok} while {@link SourceFigures#health()} says so, else 503 with its
 *       reason;</li>
 *   <li>{@code GET /metrics}: Prometheus text (see {@link SourceMetrics} for the names).</li>
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

    private final HttpServer server;
    private final ExecutorService threads;
    private final SourceMetrics metrics;
    private final SlotStatusPoller slot;
    private final SourceFigures figures;
    private boolean closed;

    private SourceAdminServer(HttpServer server, ExecutorService threads, SourceMetrics metrics,
                              SlotStatusPoller slot, SourceFigures figures) {
        this.server = server;
        this.threads = threads;
        this.metrics = metrics;
        this.slot = slot;
        this.figures = figures;
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
        return start(host, port, stream, SlotStatusPoller.connectingTo(database, slot), figures);
    }

    /**
     * Starts the admin port with a slot poller of the caller's making, or none ({@code null}: a source
     * without a slot, such as the table capture; then there are no slot meters and no {@code slot} tag).
     * The server owns the poller from here on and closes it.
     */
    public static SourceAdminServer start(String host, int port, String stream, SlotStatusPoller slot,
                                          SourceFigures figures) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            if (slot != null) {
                slot.close();
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
        SourceAdminServer admin = new SourceAdminServer(server, threads, new SourceMetrics(stream, figures, slot),
                slot, figures);
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
                    SourceFigures.Health health = figures.health();
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
