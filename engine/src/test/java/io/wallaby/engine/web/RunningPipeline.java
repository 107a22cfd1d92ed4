package io.wallaby.engine.web;

import io.wallaby.connector.ConnectorSettings;
import io.wallaby.connector.SinkConnector;
import io.wallaby.connector.SinkMessage;
import io.wallaby.connector.SourceConnector;
import io.wallaby.protocol.Frame;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A pipeline at work for the web view to show: a source connector and a sink connector of the SDK, over real
 * sockets, around an engine running alert_stateless. The source writes a steady trickle on two streams,
 * every other transaction an alert. The sink commits what it gets of the first stream's alerts and never
 * those of the second, which is therefore stuck: its outputs wait, its source messages stay unacknowledged.
 */
final class RunningPipeline implements AutoCloseable {

    static final String SOURCE_PROGRAM = "web-view-source";
    static final String SOURCE_INSTANCE = "s1";
    static final String SINK_PROGRAM = "web-view-sink";
    static final String SINK_INSTANCE = "k1";
    /** How often the source writes one message on each stream: a rate the curves can show, no load to speak of. */
    private static final long WRITE_EVERY_MILLIS = 20;

    private final String flowing;
    private final String stalled;
    private final SourceConnector source;
    private final SinkConnector sink;
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
    private final Thread reader;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean closing;
    private long nextId = 1;

    private RunningPipeline(int sourcePort, int sinkPort, String flowing, String stalled) {
        this.flowing = flowing;
        this.stalled = stalled;
        this.sink = new SinkConnector(new ConnectorSettings("127.0.0.1", sinkPort, "", SINK_PROGRAM, SINK_INSTANCE,
                1 << 20));
        this.source = new SourceConnector(new ConnectorSettings("127.0.0.1", sourcePort, "", SOURCE_PROGRAM,
                SOURCE_INSTANCE, 1 << 20));
        this.reader = new Thread(this::readAndCommit, "web-view-test-sink");
    }

    /** Connects both connectors and starts the traffic on {@code flowing} and {@code stalled}. */
    static RunningPipeline start(int sourcePort, int sinkPort, String flowing, String stalled) {
        RunningPipeline pipeline = new RunningPipeline(sourcePort, sinkPort, flowing, stalled);
        pipeline.sink.connect(stream -> Frame.U64_MAX);
        pipeline.reader.start();
        pipeline.source.connect();
        pipeline.source.openStream(flowing);
        pipeline.source.openStream(stalled);
        pipeline.writer.scheduleAtFixedRate(pipeline::writeOne, 0, WRITE_EVERY_MILLIS, TimeUnit.MILLISECONDS);
        return pipeline;
    }

    private void writeOne() {
        try {
            long id = nextId++;
            byte[] payload = ("{\"id\":" + id + ",\"amount\":" + (id % 2 == 0 ? 5000 : 10) + "}")
                    .getBytes(StandardCharsets.UTF_8);
            source.write(flowing, id, payload);
            source.write(stalled, id, payload);
            source.flush();
        } catch (RuntimeException e) {
            fail(e);
            throw e; // ends the schedule: the test sees the failure
        }
    }

    private void readAndCommit() {
        String committedStream = "alert_log/" + flowing;
        try {
            while (!closing) {
                List<SinkMessage> batch = sink.readBatch(1000, Duration.ofMillis(100));
                List<SinkMessage> kept = batch.stream().filter(m -> m.streamName().equals(committedStream)).toList();
                if (!kept.isEmpty()) {
                    sink.commitMessages(kept);
                }
            }
        } catch (RuntimeException e) {
            if (!closing) {
                fail(e);
            }
        }
    }

    private void fail(Throwable e) {
        failure.compareAndSet(null, e);
    }

    /** What went wrong in the connectors' threads, or null. */
    Throwable failure() {
        return failure.get();
    }

    @Override
    public void close() throws InterruptedException {
        closing = true;
        writer.shutdownNow();
        writer.awaitTermination(5, TimeUnit.SECONDS);
        // The stalled stream is never acknowledged: no waiting for it at close.
        source.close(Duration.ofMillis(100));
        sink.close();
        reader.join(TimeUnit.SECONDS.toMillis(5));
    }
}
