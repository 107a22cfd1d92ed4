package io.wallaby.engine.cluster;

import io.wallaby.engine.state.Checkpoint;
import io.wallaby.engine.state.CheckpointStore;
import io.wallaby.engine.state.StateChanges;
import io.wallaby.engine.stream.OutputLog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link CheckpointStore.Restorer} that keeps what a restore delivered, in text, and checks the order it promises
 * (a stream before its entries); with helpers that make checkpoints of text entries.
 */
final class RestoredStreams implements CheckpointStore.Restorer {

    /** One restored stream: its position, its state as "step/key" to value, its outputs' ids and payloads in order. */
    static final class Stream {
        final String name;
        final long position;
        final Map<String, String> state = new TreeMap<>();
        final Map<Long, String> outputs = new LinkedHashMap<>();

        Stream(String name, long position) {
            this.name = name;
            this.position = position;
        }
    }

    final Map<Long, Stream> streams = new LinkedHashMap<>();
    private long entries;

    @Override
    public void stream(long streamId, String name, long position) {
        assertTrue(streams.put(streamId, new Stream(name, position)) == null, "stream " + name + " delivered twice");
    }

    @Override
    public void state(long streamId, int step, byte[] key, byte[] value) {
        entries++;
        Stream stream = streams.get(streamId);
        assertTrue(stream != null, "a state entry before its stream");
        stream.state.put(step + "/" + text(key), text(value));
    }

    @Override
    public void output(long streamId, OutputLog.Output output) {
        Stream stream = streams.get(streamId);
        assertTrue(stream != null, "an output before its stream");
        Long last = stream.outputs.isEmpty() ? null : List.copyOf(stream.outputs.keySet()).get(stream.outputs.size() - 1);
        assertTrue(last == null || Long.compareUnsigned(last, output.id()) < 0, "outputs out of id order");
        stream.outputs.put(output.id(), text(output.payload()));
    }

    /** State entries delivered, over every stream. */
    long entries() {
        return entries;
    }

    Stream stream(String name) {
        return streams.values().stream().filter(s -> s.name.equals(name)).findFirst().orElse(null);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Changes of one step: {@code key, value, key, value...}, a null value forgetting the key. */
    static StateChanges changes(String... keysAndValues) {
        List<byte[][]> entries = new ArrayList<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            entries.add(new byte[][]{bytes(keysAndValues[i]), keysAndValues[i + 1] == null ? null : bytes(keysAndValues[i + 1])});
        }
        return new Entries(entries);
    }

    static OutputLog.Output output(long id, String payload) {
        return new OutputLog.Output(id, 1_000 + id, bytes(payload));
    }

    static Checkpoint checkpoint(long streamId, String name, long position, List<StateChanges> steps,
                                 List<OutputLog.Output> outputs, long sinkCommittedThrough) {
        return new Checkpoint(streamId, name, position, steps, outputs, sinkCommittedThrough);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Encoded entries, as the lanes hand them over. */
    record Entries(List<byte[][]> entries) implements StateChanges {
        @Override
        public int size() {
            return entries.size();
        }

        @Override
        public void writeTo(Writer writer) {
            entries.forEach(entry -> writer.put(entry[0], entry[1]));
        }

        @Override
        public StateChanges under(StateChanges newer) {
            List<byte[][]> both = new ArrayList<>(entries);
            both.addAll(((Entries) newer).entries);
            return new Entries(both);
        }
    }
}
