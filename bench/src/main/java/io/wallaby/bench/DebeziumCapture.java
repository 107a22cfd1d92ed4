package io.wallaby.bench;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Debezium's embedded engine with its PostgreSQL connector (pgoutput) capturing inserts into
 * {@code public.transactions} into a callback that only counts them. JSON values, as our source sends JSON,
 * and offsets in memory, since the peer only has to capture, not resume.
 */
final class DebeziumCapture implements AutoCloseable {

    private final AtomicLong count = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final DebeziumEngine<ChangeEvent<String, String>> engine;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "debezium"));

    DebeziumCapture(BenchDatabase db) {
        Properties p = new Properties();
        p.setProperty("name", "wallaby-bench-peer");
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        p.setProperty("offset.flush.interval.ms", "60000");
        p.setProperty("database.hostname", "127.0.0.1");
        p.setProperty("database.port", Integer.toString(db.port()));
        p.setProperty("database.user", "postgres");
        p.setProperty("database.password", "postgres"); // trust authentication: ignored
        p.setProperty("database.dbname", "postgres");
        p.setProperty("topic.prefix", "bench");
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", "wallaby_bench_peer");
        p.setProperty("slot.drop.on.stop", "true");
        p.setProperty("publication.autocreate.mode", "filtered");
        p.setProperty("table.include.list", "public.transactions");
        // Only changes from now on: the rows inserted while it runs, like our source.
        p.setProperty("snapshot.mode", "no_data");
        p.setProperty("key.converter.schemas.enable", "false");
        p.setProperty("value.converter.schemas.enable", "false");
        engine = DebeziumEngine.create(Json.class)
                .using(p)
                .notifying(event -> {
                    if (event.value() != null) {
                        count.incrementAndGet();
                    }
                })
                .using((success, message, error) -> {
                    if (!success) {
                        failure.compareAndSet(null, error != null ? error : new IllegalStateException(message));
                    }
                })
                .build();
        executor.execute(engine);
    }

    long count() {
        return count.get();
    }

    /** Waits for {@code expected} events; returns System.nanoTime then, or fails with Debezium's error. */
    long awaitCount(long expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count.get() < expected) {
            Throwable error = failure.get();
            if (error != null) {
                throw new IllegalStateException("Debezium stopped: " + error, error);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Debezium counted " + count.get() + " of " + expected
                        + " events within " + timeout);
            }
            Thread.sleep(1);
        }
        return System.nanoTime();
    }

    @Override
    public void close() throws Exception {
        engine.close();
        executor.shutdown();
        executor.awaitTermination(30, TimeUnit.SECONDS);
    }
}
