package io.wallaby.bench;

import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import org.apache.kafka.connect.source.SourceRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code wallaby-bench.jar debezium-reader}: Debezium's embedded engine with its PostgreSQL connector reading one
 * pre-made pgoutput slot into a callback that only counts, in a JVM of its own (started like our pieces, fresh
 * and with the same heap limit, so neither side has the benchmark's warm JVM). It prints
 * {@code drained N events in T ns} once it has counted the expected events, T running from Debezium's
 * pollingStarted callback to the last event, then stops.
 */
@Command(name = "debezium-reader", hidden = true,
        description = "Internal to scenario 5: Debezium embedded draining one slot, timed from inside.")
final class DebeziumReader implements Callable<Integer> {

    enum Profile {
        /** Debezium's documented defaults: the JSON converter (with schemas), a Consumer per event. */
        defaults,
        /** The fastest configuration found (see {@link DebeziumPeer#FAST_SETTINGS}). */
        fast
    }

    @Option(names = "--port", required = true)
    int port;

    @Option(names = "--slot", required = true)
    String slot;

    @Option(names = "--publication", required = true)
    String publication;

    @Option(names = "--profile", required = true)
    Profile profile;

    @Option(names = "--expect", required = true, description = "Events to count before stopping.")
    long expected;

    private final AtomicLong count = new AtomicLong();
    private final AtomicLong startNanos = new AtomicLong();
    private final AtomicLong doneNanos = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    @Override
    public Integer call() throws Exception {
        Properties p = new Properties();
        p.setProperty("name", "wallaby-bench-" + profile);
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        // Offsets in memory: the reader only has to capture, not resume.
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        p.setProperty("database.hostname", "127.0.0.1");
        p.setProperty("database.port", Integer.toString(port));
        p.setProperty("database.user", "postgres");
        p.setProperty("database.password", "postgres"); // trust authentication: ignored
        p.setProperty("database.dbname", "postgres");
        p.setProperty("topic.prefix", "bench");
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", slot);                // made before the load: it reads the backlog
        p.setProperty("publication.name", publication);  // exists: used as it is
        p.setProperty("table.include.list", "public.transactions");
        p.setProperty("snapshot.mode", "no_data");       // the streaming of the WAL only, like ours
        if (profile == Profile.fast) {
            p.putAll(DebeziumPeer.FAST_SETTINGS);
        }
        DebeziumEngine.ConnectorCallback started = new DebeziumEngine.ConnectorCallback() {
            @Override
            public void pollingStarted() {
                startNanos.compareAndSet(0, System.nanoTime());
                System.out.println("polling started");
            }
        };
        DebeziumEngine.CompletionCallback completion = (success, message, error) -> {
            if (!success) {
                failure.compareAndSet(null, error != null ? error : new IllegalStateException(message));
            }
        };
        DebeziumEngine<?> engine = profile == Profile.defaults
                ? DebeziumEngine.create(Json.class).using(p).using(started).using(completion)
                        .notifying((ChangeEvent<String, String> event) -> counted(event.value() != null ? 1 : 0))
                        .build()
                : DebeziumEngine.create(Connect.class).using(p).using(started).using(completion)
                        .notifying(this::countBatch)
                        .build();
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "debezium"));
        executor.execute(engine);
        try {
            return await();
        } finally {
            engine.close();
            executor.shutdown();
            executor.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    /** The fast profile's ChangeConsumer: a batch at a time, no conversion, each record marked processed. */
    private void countBatch(List<ChangeEvent<SourceRecord, SourceRecord>> batch,
                            DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer)
            throws InterruptedException {
        int n = 0;
        for (ChangeEvent<SourceRecord, SourceRecord> event : batch) {
            if (event.value() != null && event.value().value() != null) {
                n++;
            }
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
        counted(n);
    }

    private void counted(int n) {
        if (n > 0 && count.addAndGet(n) >= expected) {
            doneNanos.compareAndSet(0, System.nanoTime());
        }
    }

    /** Waits for the expected count; fails on Debezium's error or when the count stays still for the stall limit. */
    private int await() throws InterruptedException {
        long last = -1;
        long movedAt = System.nanoTime();
        while (doneNanos.get() == 0) {
            Throwable error = failure.get();
            long now = System.nanoTime();
            if (count.get() != last) {
                last = count.get();
                movedAt = now;
            }
            if (error != null || now - movedAt > BenchDatabase.STALL_MILLIS * 1_000_000L) {
                System.out.println("FAILED after " + count.get() + " of " + expected + " events: "
                        + (error != null ? error : "none for " + BenchDatabase.STALL_MILLIS / 1000 + " s"));
                if (error != null) {
                    error.printStackTrace(System.out);
                }
                return 1;
            }
            Thread.sleep(1);
        }
        System.out.println("drained " + count.get() + " events in " + (doneNanos.get() - startNanos.get()) + " ns");
        return 0;
    }
}
