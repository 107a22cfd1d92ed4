package io.wallaby.engine.admin;

import io.wallaby.engine.stream.EngineCounters;
import io.wallaby.engine.stream.OutputLog;
import io.wallaby.engine.stream.SourceStream;
import io.wallaby.engine.stream.StreamRegistry;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The per-second rates /status shows: messages processed and outputs produced, engine-wide, messages in
 * per source stream and outputs committed by a sink per sink stream, each over the last {@link #window()}. {@link #sample()} reads the
 * existing counters, once per {@link #interval()}, from a task the engine schedules on its event
 * loops; the message path is not involved.
 */
public final class ThroughputRates {

    /** Samples per window: a rate moves in steps of a tenth of the window. */
    private static final int INTERVALS_PER_WINDOW = 10;

    private final EngineCounters counters;
    private final StreamRegistry streams;
    private final Duration window;
    private final RateMeter processed = meter();
    private final RateMeter outputs = meter();
    private final ConcurrentMap<String, RateMeter> messagesIn = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, RateMeter> outputsCommitted = new ConcurrentHashMap<>();
    /** When {@link #sample()} last ran; touched by the sampling thread only. */
    private long previousSampleNanos;
    private boolean sampledBefore;

    public ThroughputRates(EngineCounters counters, StreamRegistry streams, Duration window) {
        if (window.toMillis() < INTERVALS_PER_WINDOW) {
            throw new IllegalArgumentException("rate window too short: " + window);
        }
        this.counters = counters;
        this.streams = streams;
        this.window = window;
    }

    private static RateMeter meter() {
        return new RateMeter(INTERVALS_PER_WINDOW + 1);
    }

    public Duration window() {
        return window;
    }

    /** How often {@link #sample()} is to be called. */
    public Duration interval() {
        return window.dividedBy(INTERVALS_PER_WINDOW);
    }

    /** Reads every counter once; streams no longer in the registry lose their meters. */
    public void sample() {
        long now = System.nanoTime();
        processed.sample(now, counters.messagesProcessed());
        outputs.sample(now, counters.outputsProduced());
        Set<String> present = new HashSet<>();
        for (SourceStream stream : streams.sources()) {
            present.add(stream.name());
            messagesIn.computeIfAbsent(stream.name(), name -> newStreamMeter()).sample(now, stream.messagesIn());
        }
        messagesIn.keySet().retainAll(present);
        present.clear();
        for (OutputLog log : streams.logs()) {
            present.add(log.name());
            outputsCommitted.computeIfAbsent(log.name(), name -> newStreamMeter()).sample(now, log.outputsCommitted());
        }
        outputsCommitted.keySet().retainAll(present);
        previousSampleNanos = now;
        sampledBefore = true;
    }

    /**
     * A stream seen for the first time did not exist at the previous sample: it had 0 messages then.
     * Without that first point, a burst that opens a stream between two samples would never show.
     */
    private RateMeter newStreamMeter() {
        RateMeter meter = meter();
        if (sampledBefore) {
            meter.sample(previousSampleNanos, 0);
        }
        return meter;
    }

    public double messagesProcessedPerSecond() {
        return processed.perSecond();
    }

    public double outputsProducedPerSecond() {
        return outputs.perSecond();
    }

    /** Messages in per second on one source stream; 0 for a stream not sampled yet. */
    public double messagesInPerSecond(String stream) {
        RateMeter meter = messagesIn.get(stream);
        return meter == null ? 0 : meter.perSecond();
    }

    /** Outputs a sink committed per second on one sink stream; 0 for a stream not sampled yet. */
    public double outputsCommittedPerSecond(String sinkStream) {
        RateMeter meter = outputsCommitted.get(sinkStream);
        return meter == null ? 0 : meter.perSecond();
    }
}
