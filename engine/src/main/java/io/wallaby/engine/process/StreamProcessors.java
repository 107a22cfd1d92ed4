package io.wallaby.engine.process;

import io.wallaby.api.Pipeline;
import io.wallaby.engine.state.CheckpointStore;
import io.wallaby.engine.state.Checkpointer;
import io.wallaby.engine.state.StreamState;
import io.wallaby.engine.stream.EngineCounters;
import io.wallaby.engine.stream.OutputLog;
import io.wallaby.engine.stream.SourceStream;
import io.wallaby.engine.stream.StreamRegistry;
import io.wallaby.protocol.Points;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The lanes and the {@link StreamProcessor} of every source stream: which lane a stream runs on (the next
 * lane in turn when the stream is first seen, so that N streams spread evenly over the lanes), and, for a
 * stateful pipeline, the checkpoints: restored at start-up (in a cluster, when a partition is assigned),
 * ticked by the lanes, forced by the drain and by a partition's revocation ({@link #release}). Thread-safe.
 */
public final class StreamProcessors implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StreamProcessors.class);

    private final StreamRegistry registry;
    private final PipelineRunner runner;
    private final EngineCounters counters;
    private final DeadLetterFile deadLetters;
    /** Null for a stateless pipeline. */
    private final Checkpointer checkpointer;
    private final List<Lane> lanes = new ArrayList<>();
    private final AtomicInteger nextLane = new AtomicInteger();
    private final ConcurrentMap<Long, StreamProcessor> processors = new ConcurrentHashMap<>();

    /**
     * @param laneCount    the processing threads
     * @param checkpointer where checkpoints go; null when the pipeline is stateless
     */
    public StreamProcessors(StreamRegistry registry, EngineCounters counters, DeadLetterFile deadLetters,
                            int laneCount, Checkpointer checkpointer) {
        this.registry = registry;
        this.runner = new PipelineRunner(registry.pipeline(), counters);
        this.counters = counters;
        this.deadLetters = deadLetters;
        this.checkpointer = checkpointer;
        for (int i = 0; i < laneCount; i++) {
            Lane lane = new Lane(i);
            if (checkpointer != null) {
                lane.tickCheckpoints(checkpointer.figures().interval());
            }
            lanes.add(lane);
        }
    }

    public int laneCount() {
        return lanes.size();
    }

    /** The checkpointer, or null for a stateless pipeline. */
    public Checkpointer checkpointer() {
        return checkpointer;
    }

    /** The processor of {@code stream}, pinned to a lane the first time. */
    public StreamProcessor of(SourceStream stream) {
        StreamProcessor known = processors.get(stream.id());
        return known != null ? known : processors.computeIfAbsent(stream.id(), id -> create(stream));
    }

    private StreamProcessor create(SourceStream stream) {
        Lane lane = lanes.get(Math.floorMod(nextLane.getAndIncrement(), lanes.size()));
        Pipeline pipeline = registry.pipeline();
        StreamProcessor processor = new StreamProcessor(stream, runner, counters, deadLetters, lane,
                checkpointer == null ? null : new StreamState(pipeline), checkpointer);
        lane.pin(processor);
        return processor;
    }

    /** Entries of state held per stream name, for /status. Reads lane-confined maps' sizes: approximate. */
    public Map<String, Long> stateSizes() {
        Map<String, Long> sizes = new HashMap<>();
        for (StreamProcessor processor : processors.values()) {
            if (processor.state() != null) {
                sizes.put(processor.stream().name(), processor.state().size());
            }
        }
        return sizes;
    }

    /** Where a restore reads checkpoints from: all of a store, or some partitions of a cluster's. */
    @FunctionalInterface
    public interface Checkpoints {
        void feed(CheckpointStore.Restorer restorer) throws IOException;
    }

    /**
     * Restores every stream the store holds: its position, its state, and the outputs a sink may not have
     * committed (back into its output log). At start-up, before any connection.
     *
     * @return the streams restored
     */
    public int restore() throws IOException {
        return checkpointer == null ? 0 : restore(checkpointer.store()::restore);
    }

    /**
     * Restores the streams {@code checkpoints} feeds, as {@link #restore()} does: in a cluster, those of the
     * partitions just assigned to this engine, before it serves them (no connection can hold them yet).
     *
     * @return the streams restored
     */
    public int restore(Checkpoints checkpoints) throws IOException {
        if (checkpointer == null) {
            return 0;
        }
        Map<Long, List<OutputLog.Output>> outputs = new HashMap<>();
        long started = System.nanoTime();
        checkpoints.feed(new CheckpointStore.Restorer() {
            @Override
            public void stream(long streamId, String name, long position) {
                SourceStream stream = registry.source(streamId, name);
                stream.restoreAt(position);
                of(stream).restoredAt(position);
                outputs.put(streamId, new ArrayList<>());
            }

            @Override
            public void state(long streamId, int step, byte[] key, byte[] value) {
                processors.get(streamId).state().restore(step, key, value);
            }

            @Override
            public void output(long streamId, OutputLog.Output output) {
                outputs.get(streamId).add(output);
            }
        });
        for (Map.Entry<Long, List<OutputLog.Output>> entry : outputs.entrySet()) {
            StreamProcessor processor = processors.get(entry.getKey());
            processor.stream().outputs().append(entry.getValue());
            log.info("Restored stream {} at {}: {} state entries, {} outputs not known to be committed",
                    processor, Points.show(processor.stream().acknowledged()), processor.state().size(),
                    entry.getValue().size());
        }
        if (!outputs.isEmpty()) {
            log.info("Restored {} stream(s) from {} in {} ms", outputs.size(), checkpointer.store(),
                    (System.nanoTime() - started) / 1_000_000);
        }
        return outputs.size();
    }

    /**
     * Lets {@code streams} go: their cluster partition moved to another engine, and no connection holds them
     * any more. Each stream's lane first finishes what was handed to it; with {@code lastCheckpoint}, a stateful
     * stream then writes a last checkpoint (waited for up to {@code timeout} in all), so that the next owner
     * restores it there; then its processor, state and stream are forgotten here. Blocks; not on a lane.
     *
     * @return the streams whose last checkpoint is durable (none without {@code lastCheckpoint}, but those that had
     *         processed nothing here)
     */
    public int release(Collection<SourceStream> streams, boolean lastCheckpoint, Duration timeout)
            throws InterruptedException {
        Map<StreamProcessor, CompletableFuture<Boolean>> finishing = new HashMap<>();
        for (SourceStream stream : streams) {
            StreamProcessor processor = processors.get(stream.id());
            if (processor != null && processor.stream() == stream) {
                CompletableFuture<Boolean> done = new CompletableFuture<>();
                processor.lane().execute(() -> {
                    if (lastCheckpoint) {
                        processor.finish(done);
                    } else {
                        done.complete(false);
                    }
                });
                finishing.put(processor, done);
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        int durable = streams.size() - finishing.size();
        for (Map.Entry<StreamProcessor, CompletableFuture<Boolean>> entry : finishing.entrySet()) {
            StreamProcessor processor = entry.getKey();
            try {
                if (entry.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    durable++;
                }
            } catch (ExecutionException | TimeoutException e) {
                log.warn("Stream {}: no last checkpoint within {} ms; the next owner replays from the one before",
                        processor, timeout.toMillis());
            }
            processor.lane().unpin(processor);
            processors.remove(processor.stream().id(), processor);
        }
        streams.forEach(registry::forget);
        return durable;
    }

    /** Asks every stateful stream for a checkpoint of all it has processed (the drain). */
    public void checkpointAll() {
        lanes.forEach(Lane::checkpointAll);
    }

    /** Whether every stream's processed messages are in a durable checkpoint. */
    public boolean allCheckpointed() {
        return processors.values().stream().allMatch(StreamProcessor::checkpointed);
    }

    public Collection<StreamProcessor> all() {
        return processors.values();
    }

    /** Stops the lanes, then writes the checkpoints handed over and closes the store. */
    @Override
    public void close() {
        lanes.forEach(Lane::shutdown);
        if (checkpointer != null) {
            checkpointer.close();
        }
    }
}
