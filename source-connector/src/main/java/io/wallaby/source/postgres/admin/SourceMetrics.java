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
 * A postgres source's figures as Micrometer meters, in Prometheus text by {@link #scrape()}: one series per
 * stream the source captures (one, or one per partition stream with {@code --partitions N}). Every meter of a
 * stream carries the tags {@code stream} (the partition stream's name, such as {@code transactions.3}) and, when
 * the stream has a slot, {@code slot} (its own: {@code wallaby_transactions_3}); names come out as
 * <ul>
 *   <li>{@code wallaby_source_messages_sent_total}, {@code wallaby_source_messages_acknowledged_total},
 *       {@code wallaby_source_lag_seconds}: from the stream's {@link SourceFigures};</li>
 *   <li>{@code wallaby_source_slot_active} (1 or 0, 0 when the slot does not exist), {@code wallaby_source_slot_wal_status} (one series per
 *       {@code status}: reserved, extended, unreserved, lost, and missing when the slot does not exist; 1 for
 *       the current one, 0 for the others), {@code wallaby_source_slot_retained_wal_bytes},
 *       {@code wallaby_source_slot_lag_bytes}, {@code wallaby_source_slot_confirmed_lsn} (the position as a
 *       number; exact up to 2^53, 8 PB of WAL), {@code wallaby_source_slot_safe_wal_bytes}: from
 *       {@link SlotStatus}, through the {@link SlotStatusPoller}'s cache (one query for every slot). NaN while
 *       unknown (no query has succeeded yet) or when PostgreSQL has no value (a missing slot; safe_wal_size with
 *       an unlimited max_slot_wal_keep_size);</li>
 *   <li>{@code wallaby_source_slot_query_failures_total}: slot queries that failed, so stale slot values
 *       can be told apart from still ones (one query reads every slot, so each slot's series counts the same
 *       failures);</li>
 *   <li>the JVM's: memory, GC, threads, class loading, processor and uptime.</li>
 * </ul>
 * Totals over the partitions are a query away ({@code sum without (stream, slot) (...)}, {@code max(...)} for
 * the lags); they are not exposed as series of their own, which would count every message twice in a sum.
 */
final class SourceMetrics implements AutoCloseable {

    /** The {@code status} values of {@code wallaby_source_slot_wal_status}. */
    static final List<String> WAL_STATUSES = List.of("reserved", "extended", "unreserved", "lost", "missing");

    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    // Gauges hold their object weakly: these fields keep them alive for as long as the registry.
    private final List<SourceAdminServer.Reported> streams;
    private final SlotStatusPoller slots;

    /**
     * @param streams the streams to report on, each with its figures and slot
     * @param slots   the poller of every slot the streams name; null when none has a slot (no slot meters)
     */
    SourceMetrics(List<SourceAdminServer.Reported> streams, SlotStatusPoller slots) {
        this.streams = List.copyOf(streams);
        this.slots = slots;
        for (SourceAdminServer.Reported stream : this.streams) {
            register(stream);
        }
        new JvmMemoryMetrics().bindTo(meters);
        gc.bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ClassLoaderMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
    }

    private void register(SourceAdminServer.Reported stream) {
        String slot = stream.slot();
        SourceFigures figures = stream.figures();
        Tags tags = slot == null ? Tags.of("stream", stream.stream()) : Tags.of("stream", stream.stream(), "slot", slot);
        FunctionCounter.builder("wallaby.source.messages.sent", figures, SourceFigures::messagesSent).tags(tags)
                .description("Messages written to the engine since the connector started").register(meters);
        FunctionCounter.builder("wallaby.source.messages.acknowledged", figures, SourceFigures::messagesAcknowledged)
                .tags(tags).description("Messages the engine acknowledged since the connector started")
                .register(meters);
        Gauge.builder("wallaby.source.lag.seconds", figures, SourceFigures::lagSeconds).tags(tags)
                .description("Age of the oldest change sent and not yet acknowledged (0: none)").register(meters);
        if (slot == null) {
            return;
        }
        Gauge.builder("wallaby.source.slot.active", slots, p -> active(p.latest(), slot)).tags(tags)
                .description("Whether a session reads the slot now (1) or not (0; also when there is no slot)")
                .register(meters);
        for (String status : WAL_STATUSES) {
            Gauge.builder("wallaby.source.slot.wal.status", slots, p -> walStatus(p.latest(), slot, status))
                    .tags(tags.and("status", status))
                    .description("1 for the slot's current wal_status (missing: no such slot), 0 for the others")
                    .register(meters);
        }
        slotGauge("wallaby.source.slot.retained.wal.bytes", slot, tags, "WAL the slot keeps from removal: "
                + "current position - restart_lsn", s -> orNaN(s.retainedWalBytes()));
        slotGauge("wallaby.source.slot.lag.bytes", slot, tags, "WAL not yet confirmed by the slot's consumer: "
                + "current position - confirmed_flush_lsn", s -> orNaN(s.lagBytes()));
        slotGauge("wallaby.source.slot.confirmed.lsn", slot, tags, "The slot's confirmed_flush_lsn as a number",
                s -> s.confirmedFlushLsn() == 0 ? Double.NaN : (double) s.confirmedFlushLsn());
        slotGauge("wallaby.source.slot.safe.wal.bytes", slot, tags, "WAL that may be written before the slot is in "
                + "danger of being lost (NaN: max_slot_wal_keep_size unlimited, or lost)",
                s -> orNaN(s.safeWalBytes()));
        FunctionCounter.builder("wallaby.source.slot.query.failures", slots, SlotStatusPoller::failures).tags(tags)
                .description("Slot status queries that failed (the slot gauges then keep their last values)")
                .register(meters);
    }

    MeterRegistry registry() {
        return meters;
    }

    /** The Prometheus text exposition (format 0.0.4). */
    String scrape() {
        return meters.scrape();
    }

    private void slotGauge(String name, String slot, Tags tags, String description,
                           ToDoubleFunction<SlotStatus> value) {
        Gauge.builder(name, slots, p -> {
            SlotStatus status = p.latest().slot(slot);
            return status == null ? Double.NaN : value.applyAsDouble(status);
        }).tags(tags).description(description).register(meters);
    }

    private static double active(SlotStatusPoller.Reading reading, String slot) {
        if (!reading.known()) {
            return Double.NaN;
        }
        return reading.slot(slot) != null && reading.slot(slot).active() ? 1 : 0;
    }

    private static double walStatus(SlotStatusPoller.Reading reading, String slot, String status) {
        if (!reading.known()) {
            return Double.NaN;
        }
        String current = reading.missing(slot) ? "missing" : reading.slot(slot).walStatus();
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
