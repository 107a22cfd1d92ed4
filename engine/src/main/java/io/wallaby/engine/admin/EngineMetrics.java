package io.wallaby.engine.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wallaby.engine.connection.FrameCountingHandler;
import io.wallaby.engine.guard.ConnectionLimitHandler;
import io.wallaby.engine.guard.Limit;
import io.wallaby.engine.source.DeadLetterFile;
import io.wallaby.engine.stream.EngineCounters;
import io.wallaby.engine.stream.OutputLog;
import io.wallaby.engine.stream.SourceStream;
import io.wallaby.engine.stream.StreamRegistry;
import io.wallaby.protocol.Points;

/**
 * The engine's figures as Micrometer meters, scraped in Prometheus text format by {@code GET /metrics}.
 * The application's counters stay in {@link EngineCounters} (tests read them directly) and are
 * exposed here as function counters; per-stream meters are registered when a scrape first sees the stream.
 */
public final class EngineMetrics {

    private static final String[] PROTOCOL_ERROR_KINDS = {"framing", "session", "tls", "internal"};

    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public EngineMetrics(EngineCounters counters, StreamRegistry streams, DeadLetterFile deadLetters) {
        FunctionCounter.builder("wallaby.messages.processed", counters, EngineCounters::messagesProcessed)
                .description("Source messages run through the application").register(meters);
        FunctionCounter.builder("wallaby.duplicates.dropped", counters, EngineCounters::duplicatesDropped)
                .description("Source messages dropped as replays of ids already seen").register(meters);
        FunctionCounter.builder("wallaby.decode.failures", counters, EngineCounters::decodeFailures)
                .description("Payloads the application's decoder rejected").register(meters);
        FunctionCounter.builder("wallaby.application.failures", counters, EngineCounters::applicationFailures)
                .description("Messages on which the application's code failed").register(meters);
        FunctionCounter.builder("wallaby.dead.letters", deadLetters, DeadLetterFile::written)
                .description("Source messages written to the dead-letter file").register(meters);
        FunctionCounter.builder("wallaby.outputs.produced", counters, EngineCounters::outputsProduced)
                .description("Outputs (alerts raised) appended for sinks").register(meters);
        Gauge.builder("wallaby.outputs.pending", streams.budget(), budget -> budget.pending())
                .description("Outputs held for sinks, not yet committed, all streams").register(meters);
        // Every kind shows from the start, at 0, so that alerts on them need no "absent" case.
        for (Limit limit : Limit.values()) {
            limitHits(limit);
        }
        for (String kind : PROTOCOL_ERROR_KINDS) {
            protocolErrors(kind);
        }
    }

    public MeterRegistry registry() {
        return meters;
    }

    /** Open connections of one port ({@code source} or {@code sink}). */
    public void connections(String port, ConnectionLimitHandler limit) {
        Gauge.builder("wallaby.connections", limit, ConnectionLimitHandler::open).tag("port", port)
                .description("Open connections").register(meters);
    }

    /** The frame counters of one port. */
    public FrameCountingHandler frameCounting(String port) {
        return new FrameCountingHandler(
                Counter.builder("wallaby.frames.in").tag("port", port).description("Frames received").register(meters),
                Counter.builder("wallaby.frames.out").tag("port", port).description("Frames sent").register(meters));
    }

    public void limitHit(Limit limit) {
        limitHits(limit).increment();
    }

    /** A session ended on a protocol error: {@code framing}, {@code session}, {@code tls} or {@code internal}. */
    public void protocolError(String kind) {
        protocolErrors(kind).increment();
    }

    private Counter limitHits(Limit limit) {
        return Counter.builder("wallaby.limit.hits").tag("kind", limit.kind())
                .description("Connections or frames refused by a limit").register(meters);
    }

    private Counter protocolErrors(String kind) {
        return Counter.builder("wallaby.protocol.errors").tag("kind", kind)
                .description("Sessions ended on a protocol violation or a failed TLS handshake").register(meters);
    }

    /** The Prometheus text exposition, with a meter for every stream known now. */
    public String scrape(StreamRegistry streams) {
        for (SourceStream stream : streams.sources()) {
            FunctionCounter.builder("wallaby.stream.messages.in", stream, SourceStream::messagesIn)
                    .tag("stream", stream.name()).description("Messages accepted on a source stream").register(meters);
            Gauge.builder("wallaby.stream.acknowledged", stream, s -> asGauge(s.acknowledged()))
                    .tag("stream", stream.name())
                    .description("Last message id acknowledged to the source (-1: none)").register(meters);
        }
        for (OutputLog log : streams.logs()) {
            Gauge.builder("wallaby.sink.outputs.pending", log, OutputLog::size).tag("stream", log.name())
                    .description("Outputs of a sink stream not yet committed").register(meters);
            Gauge.builder("wallaby.sink.committed", log, l -> asGauge(l.committed())).tag("stream", log.name())
                    .description("Last output id a sink committed (-1: none)").register(meters);
        }
        return meters.scrape();
    }

    private static double asGauge(long point) {
        return point == Points.NONE ? -1 : (double) point;
    }
}
