package io.wallaby.source.postgres.admin;

import io.wallaby.connector.postgres.ConnectionString;
import io.wallaby.connector.postgres.PostgresConnections;
import io.wallaby.source.postgres.logical.SlotStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads the {@link SlotStatus} of a source's slots (one, or one per partition) for the admin port, on demand and at
 * most once per {@code maxAge}, all in one query: a scrape reads about ten gauges per slot, and many scrapers (or a
 * scrape storm) must not turn into as many queries on the database being captured. Uses its own connection (never
 * a capture's: a replication connection cannot run queries while it streams, and a capture's thread must not wait
 * on a scrape).
 *
 * <p>When the query fails, the last values are kept and served (a scrape still answers), the failure is
 * logged once per run of failures (and its end once), counted in {@link #failures()}, and the connection
 * is opened again on the next refresh. When a refresh is already running on another thread, callers get the
 * last reading instead of waiting behind it. Thread-safe.
 */
public final class SlotStatusPoller implements AutoCloseable {

    /** How long a reading is served before the next scrape reads the slots again. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(1);

    /** Opens a connection to the slots' server; called again after a failure. */
    @FunctionalInterface
    public interface Connector {
        Connection open() throws SQLException;
    }

    /**
     * The latest reading.
     *
     * @param known whether any query has succeeded yet
     * @param slots the slots as last read, by name; a slot that does not exist is absent
     */
    public record Reading(boolean known, Map<String, SlotStatus> slots) {
        static final Reading UNKNOWN = new Reading(false, Map.of());

        public Reading {
            slots = Map.copyOf(slots);
        }

        /** The slot {@code name} as last read; null when unknown or when the slot does not exist. */
        public SlotStatus slot(String name) {
            return slots.get(name);
        }

        /** Read, and there is no slot {@code name}. */
        public boolean missing(String name) {
            return known && !slots.containsKey(name);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(SlotStatusPoller.class);

    private final List<String> slots;
    private final Connector connector;
    private final long maxAgeNanos;
    private final ReentrantLock refreshing = new ReentrantLock();
    private final AtomicLong failures = new AtomicLong();
    private volatile Reading last = Reading.UNKNOWN;
    private volatile long lastAttempt;
    private volatile boolean attempted;
    private boolean failing;
    /** Volatile so that {@link #close()} can cut off a query that hangs on another thread. */
    private volatile Connection db;
    private volatile boolean closed;

    /** A poller of one slot. */
    public SlotStatusPoller(String slot, Connector connector, Duration maxAge) {
        this(List.of(slot), connector, maxAge);
    }

    /** A poller of {@code slots} (at least one), read together. */
    public SlotStatusPoller(List<String> slots, Connector connector, Duration maxAge) {
        if (slots.isEmpty()) {
            throw new IllegalArgumentException("a slot poller needs a slot");
        }
        this.slots = List.copyOf(slots);
        this.connector = connector;
        this.maxAgeNanos = maxAge.toNanos();
    }

    /**
     * A poller with its own connection to {@code database} (shown as {@code wallaby-source-admin} in
     * pg_stat_activity, with connect and socket timeouts so a scrape cannot hang on a dead server) and a
     * one-second cache.
     */
    public static SlotStatusPoller connectingTo(ConnectionString database, List<String> slots) {
        return new SlotStatusPoller(slots, () -> PostgresConnections.openWithTimeouts(database,
                PostgresConnections.SOURCE_ADMIN), DEFAULT_MAX_AGE);
    }

    /** The slots read, in the order given. */
    public List<String> slots() {
        return slots;
    }

    /** The slots' figures, read now when the last attempt is older than the maximum age. */
    public Reading latest() {
        if ((!attempted || System.nanoTime() - lastAttempt >= maxAgeNanos) && refreshing.tryLock()) {
            try {
                // Checked again under the lock: another thread may have refreshed in between.
                if (!closed && (!attempted || System.nanoTime() - lastAttempt >= maxAgeNanos)) {
                    refresh();
                }
                if (closed) { // closed while this refresh ran: it may have opened a connection since
                    closeConnection();
                }
            } finally {
                refreshing.unlock();
            }
        }
        return last;
    }

    /** Queries that failed since the poller was made. */
    public long failures() {
        return failures.get();
    }

    private void refresh() {
        try {
            Connection connection = db; // read once: close() may take it away meanwhile
            if (connection == null) {
                connection = connector.open();
                db = connection;
            }
            Map<String, SlotStatus> read = new HashMap<>();
            for (SlotStatus status : SlotStatus.readAll(connection, slots)) {
                read.put(status.name(), status);
            }
            last = new Reading(true, read);
            if (failing) {
                log.info("reading replication slot{} {} works again", slots.size() == 1 ? "" : "s", names());
                failing = false;
            }
        } catch (SQLException | RuntimeException e) {
            closeConnection();
            if (closed) {
                return; // cut off by close(): not a failure of the slot query
            }
            failures.incrementAndGet();
            if (!failing) {
                log.warn("cannot read replication slot{} {} ({}); /metrics shows the last values until it works "
                        + "again", slots.size() == 1 ? "" : "s", names(), e.getMessage());
                failing = true;
            }
        } finally {
            // Timed from the end: a slow or failing query is not retried by every scrape while it runs.
            lastAttempt = System.nanoTime();
            attempted = true;
        }
    }

    private String names() {
        return String.join(", ", slots);
    }

    private void closeConnection() {
        Connection connection = db;
        db = null;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
        }
    }

    /**
     * Closes the connection; later calls serve the last reading. A query running on another thread gets a
     * second to finish, then its connection is closed under it (it fails, and that thread closes what is left).
     */
    @Override
    public void close() {
        closed = true;
        boolean locked = false;
        try {
            locked = refreshing.tryLock(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            closeConnection();
        } finally {
            if (locked) {
                refreshing.unlock();
            }
        }
    }
}
