package io.wallaby.source.postgres.admin;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wallaby.source.postgres.logical.SlotStatus;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * A postgres source's figures as Micrometer meters, in Prometheus text by {@link #scrape()}. Every meter
 * carries the tags {@code stream} and (when there is a slot) {@code slot}; names come out as
 * <ul>
 *   <li>{@code wallaby_source_messages_sent_total}, {@code wallaby_source_messages_acknowledged_total},
 *       {@code wallaby_source_lag_seconds}: from {@link SourceFigures};</li>
 *   <li>{@code wallaby_source_slot_active} (1 or 0, 0 when the slot does not exist), {@code wallaby_source_slot_wal_status} (one series per
 *       {@code status}: reserved, extended, unreserved, lost, and missing when the slot does not exist; 1 for
 *       the current one, 0 for the others), {@code wallaby_source_slot_retained_wal_bytes},
 *       {@code wallaby_source_slot_lag_bytes}, {@code wallaby_source_slot_confirmed_lsn} (the position as a
 *       number; exact up to 2^53, 8 PB of WAL), {@code wallaby_source_slot_safe_wal_bytes}: from
 *       {@link SlotStatus}, through the {@link SlotStatusPoller}'s cache. NaN while unknown (no query has
 *       succeeded yet) or when PostgreSQL has no value (a missing slot; safe_wal_size with an unlimited
 *       max_slot_wal_keep_size);</li>
 *   <li>{@code wallaby_source_slot_query_failures_total}: slot queries that failed, so stale slot values
 *       can be told apart from still ones;</li>
 *   <li>the JVM's: memory, GC, threads, class loading, processor and uptime.</li>
 * </ul>
 */
final class SourceMetrics implements AutoCloseable {

    /** The {@code status} values of {@code wallaby_source_slot_wal_status}. */
    static final List<String> WAL_STATUSES = List.of("reserved", "extended", "unreserved", "lost", "missing");

    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    // Gauges hold their object weakly: these fields keep them alive for as long as the registry.
    private final SourceFigures figures;
    private final SlotStatusPoller slot;

    /** @param slot the slot to report on; null for a source without one (no slot meters) */
    SourceMetrics(String stream, SourceFigures figures, SlotStatusPoller slot) {
        this.figures = figures;
        this.slot = slot;
        Tags tags = slot == null ? Tags.of("stream", stream) : Tags.of("stream", stream, "slot", slot.slot());
        FunctionCounter.builder("wallaby.source.messages.sent", figures, SourceFigures::messagesSent).tags(tags)
                .description("Messages written to the engine since the connector started").register(meters);
        FunctionCounter.builder("wallaby.source.messages.acknowledged", figures, SourceFigures::messagesAcknowledged)
                .tags(tags).description("Messages the engine acknowledged since the connector started")
                .register(meters);
        Gauge.builder("wallaby.source.lag.seconds", figures, SourceFigures::lagSeconds).tags(tags)
                .description("Age of the oldest change sent and not yet acknowledged (0: none)").register(meters);
        if (slot != null) {
            Gauge.builder("wallaby.source.slot.active", slot, p -> active(p.latest())).tags(tags)
                    .description("Whether a session reads the slot now (1) or not (0; also when there is no slot)")
                    .register(meters);
            for (String status : WAL_STATUSES) {
                Gauge.builder("wallaby.source.slot.wal.status", slot, p -> walStatus(p.latest(), status))
                        .tags(tags.and("status", status))
                        .description("1 for the slot's current wal_status (missing: no such slot), 0 for the others")
                        .register(meters);
            }
            slotGauge("wallaby.source.slot.retained.wal.bytes", tags, "WAL the slot keeps from removal: "
                    + "current position - restart_lsn", s -> orNaN(s.retainedWalBytes()));
            slotGauge("wallaby.source.slot.lag.bytes", tags, "WAL not yet confirmed by the slot's consumer: "
                    + "current position - confirmed_flush_lsn", s -> orNaN(s.lagBytes()));
            slotGauge("wallaby.source.slot.confirmed.lsn", tags, "The slot's confirmed_flush_lsn as a number",
                    s -> s.confirmedFlushLsn() == 0 ? Double.NaN : (double) s.confirmedFlushLsn());
            slotGauge("wallaby.source.slot.safe.wal.bytes", tags, "WAL that may be written before the slot is in "
                    + "danger of being lost (NaN: max_slot_wal_keep_size unlimited, or lost)",
                    s -> orNaN(s.safeWalBytes()));
            FunctionCounter.builder("wallaby.source.slot.query.failures", slot, SlotStatusPoller::failures).tags(tags)
                    .description("Slot status queries that failed (the slot gauges then keep their last values)")
                    .register(meters);
        }
        new JvmMemoryMetrics().bindTo(meters);
        gc.bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ClassLoaderMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
    }

    MeterRegistry registry() {
        return meters;
    }

    /** The Prometheus text exposition (format 0.0.4). */
    String scrape() {
        return meters.scrape();
    }

    private void slotGauge(String name, Tags tags, String description, ToDoubleFunction<SlotStatus> value) {
        Gauge.builder(name, slot, p -> {
            SlotStatus status = p.latest().slot();
            return status == null ? Double.NaN : value.applyAsDouble(status);
        }).tags(tags).description(description).register(meters);
    }

    private static double active(SlotStatusPoller.Reading reading) {
        if (!reading.known()) {
            return Double.NaN;
        }
        return reading.slot() != null && reading.slot().active() ? 1 : 0;
    }

    private static double walStatus(SlotStatusPoller.Reading reading, String status) {
        if (!reading.known()) {
            return Double.NaN;
        }
        String current = reading.missing() ? "missing" : reading.slot().walStatus();
        return status.equals(current) ? 1 : 0;
    }

    private static double orNaN(Long value) {
        return value == null ? Double.NaN : value;
    }

    @Override
    public void close() {
        gc.close();
        meters.close();
    }
}
