package io.wallaby.engine.cluster;

import io.wallaby.engine.stream.OutputLog;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every kind of record reads back as written, and keys of different things never collide. */
class CheckpointRecordsTest {

    private static final long STREAM = 0x8123_4567_89AB_CDEFL; // negative as a long: ids are unsigned

    @Test
    void aPositionRecordRoundTrips() throws IOException {
        CheckpointRecords.Key key = CheckpointRecords.key(CheckpointRecords.positionKey(STREAM));
        assertEquals(new CheckpointRecords.Position(STREAM), key);
        CheckpointRecords.Stream stream = CheckpointRecords.stream(CheckpointRecords.positionValue(-2L, "trades.ü"));
        assertEquals(new CheckpointRecords.Stream(-2L, "trades.ü"), stream);
    }

    @Test
    void aStateEntryRoundTripsWithItsStepAndKey() throws IOException {
        byte[] stepKey = "account-7".getBytes(StandardCharsets.UTF_8);
        CheckpointRecords.State state = assertInstanceOf(CheckpointRecords.State.class,
                CheckpointRecords.key(CheckpointRecords.stateKey(STREAM, 255, stepKey)));
        assertEquals(STREAM, state.streamId());
        assertEquals(255, state.step());
        assertArrayEquals(stepKey, state.key());

        CheckpointRecords.State empty = assertInstanceOf(CheckpointRecords.State.class,
                CheckpointRecords.key(CheckpointRecords.stateKey(STREAM, 0, new byte[0])));
        assertEquals(0, empty.key().length);
        assertThrows(IllegalArgumentException.class, () -> CheckpointRecords.stateKey(STREAM, 256, stepKey));
    }

    @Test
    void anOutputRoundTripsWithItsUnsignedId() throws IOException {
        OutputLog.Output output = new OutputLog.Output(-5L, 1_700_000_000_000L, "{\"alert\":1}".getBytes(StandardCharsets.UTF_8));
        CheckpointRecords.Output key = assertInstanceOf(CheckpointRecords.Output.class,
                CheckpointRecords.key(CheckpointRecords.outputKey(STREAM, output.id())));
        assertEquals(new CheckpointRecords.Output(STREAM, -5L), key);
        OutputLog.Output read = CheckpointRecords.output(key.id(), CheckpointRecords.outputValue(output));
        assertEquals(output.id(), read.id());
        assertEquals(output.eventTime(), read.eventTime());
        assertArrayEquals(output.payload(), read.payload());
    }

    @Test
    void keysOfDifferentThingsDiffer() {
        // Compaction keeps one record per key: a state entry must never share a key with an output or a position.
        byte[] position = CheckpointRecords.positionKey(STREAM);
        byte[] state = CheckpointRecords.stateKey(STREAM, 0, new byte[8]);
        byte[] output = CheckpointRecords.outputKey(STREAM, 0);
        byte[] otherStream = CheckpointRecords.outputKey(STREAM + 1, 0);
        assertFalse(java.util.Arrays.equals(position, state));
        assertFalse(java.util.Arrays.equals(state, output));
        assertFalse(java.util.Arrays.equals(output, otherStream));
    }

    @Test
    void keysWallabyNeverWritesAreRefused() {
        assertThrows(IOException.class, () -> CheckpointRecords.key(null));
        assertThrows(IOException.class, () -> CheckpointRecords.key(new byte[5]));
        byte[] unknownKind = CheckpointRecords.positionKey(STREAM);
        unknownKind[8] = 9;
        assertThrows(IOException.class, () -> CheckpointRecords.key(unknownKind));
        assertThrows(IOException.class, () -> CheckpointRecords.key(new byte[]{0, 0, 0, 0, 0, 0, 0, 1, 2, 0}));
        assertThrows(IOException.class, () -> CheckpointRecords.stream(new byte[3]));
    }
}
