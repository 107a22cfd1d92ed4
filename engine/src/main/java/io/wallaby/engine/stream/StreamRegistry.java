package io.wallaby.engine.stream;

import io.wallaby.api.Pipeline;
import io.wallaby.protocol.StreamIds;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every stream the engine knows, shared by all sessions: source streams by id, their output logs
 * (one sink stream each, named {@code <sinkName>/<sourceStreamName>}), and the live sink sessions
 * that the logs are offered to. Thread-safe. A stream lives in memory for the engine's lifetime, or until
 * its cluster partition moves to another engine.
 */
public final class StreamRegistry {

    private final Pipeline pipeline;
    private final OutputBudget budget;
    private final ConcurrentMap<Long, SourceStream> sources = new ConcurrentHashMap<>();
    private final ConcurrentMap<Long, OutputLog> logs = new ConcurrentHashMap<>();
    private final List<OutputLog.Reader> readers = new CopyOnWriteArrayList<>();

    public StreamRegistry(Pipeline pipeline, OutputBudget budget) {
        this.pipeline = pipeline;
        this.budget = budget;
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    public OutputBudget budget() {
        return budget;
    }

    /** Every source stream known, for status and metrics. */
    public Collection<SourceStream> sources() {
        return sources.values();
    }

    /** Every output log, for status, metrics and the drain at shutdown. */
    public Collection<OutputLog> logs() {
        return logs.values();
    }

    /** The source stream with this id, created (with its output log) the first time it is named. */
    public SourceStream source(long streamId, String streamName) {
        SourceStream known = sources.get(streamId);
        if (known != null) {
            return known;
        }
        OutputLog log = outputLog(pipeline.sinkStreamName(streamName));
        return sources.computeIfAbsent(streamId, id -> new SourceStream(id, streamName, log, pipeline.stateful()));
    }

    /**
     * Forgets {@code stream} and its output log, whose outputs are dropped: another engine serves the stream
     * now (docs/CLUSTER.md). Named again, the stream starts afresh. Only for a stream no connection holds.
     */
    public void forget(SourceStream stream) {
        if (sources.remove(stream.id(), stream) && logs.remove(stream.outputs().streamId(), stream.outputs())) {
            stream.outputs().discard();
        }
    }

    /** The output log of a sink stream, or null when no source stream has fed it. */
    public OutputLog outputLog(long sinkStreamId) {
        return logs.get(sinkStreamId);
    }

    /** A sink session is ready: it is offered every log, now and as they appear. */
    public void addReader(OutputLog.Reader reader) {
        readers.add(reader);
        logs.values().forEach(reader::offer);
    }

    /** A sink session ended: what it held is offered to the others. */
    public void removeReader(OutputLog.Reader reader, List<OutputLog> held) {
        readers.remove(reader);
        for (OutputLog log : held) {
            log.release(reader);
            offerToAll(log);
        }
    }

    /** Offers a log that nobody holds to every live sink session; one of them will claim it. */
    public void offerToAll(OutputLog log) {
        readers.forEach(reader -> reader.offer(log));
    }

    private OutputLog outputLog(String sinkStreamName) {
        long id = StreamIds.of(sinkStreamName);
        OutputLog known = logs.get(id);
        if (known != null) {
            return known;
        }
        OutputLog fresh = new OutputLog(sinkStreamName, id, budget);
        known = logs.putIfAbsent(id, fresh);
        if (known != null) {
            return known;
        }
        offerToAll(fresh);
        return fresh;
    }
}
