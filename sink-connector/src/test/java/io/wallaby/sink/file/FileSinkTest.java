package io.wallaby.sink.file;

import io.wallaby.connector.CommandThreads;
import io.wallaby.connector.FakeEngine;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FileSinkTest {

    @Test
    void appendsOneLinePerPayloadAndAcknowledgesAfterSync(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("alerts.txt");
        long stream = StreamIds.of("s");
        try (FakeEngine engine = new FakeEngine()) {
            FileSinkCommand command = new FileSinkCommand();
            new CommandLine(command).parseArgs("--path", out.toString(), "--engine-port", "" + engine.port());
            CompletableFuture<Integer> exit = CommandThreads.start(command);
            assertEquals("wallaby-sink-file", engine.acceptAndOk(0).programName());
            engine.read(Frame.Ack.class);
            engine.send(new Frame.Notify(stream, "s", Frame.U64_MAX));
            assertEquals(new Frame.NotifyAck(true, stream, Frame.U64_MAX), engine.read(Frame.NotifyAck.class));
            engine.send(Frame.Message.of(stream, 1, "first".getBytes(StandardCharsets.UTF_8)));
            engine.send(Frame.Message.of(stream, 2, "zweite ü".getBytes(StandardCharsets.UTF_8)));
            Frame.Ack ack;
            do {
                ack = engine.read(Frame.Ack.class);
            } while (!ack.points().contains(new Frame.StreamPoint(stream, 2)));
            assertEquals(List.of("first", "zweite ü"), Files.readAllLines(out, StandardCharsets.UTF_8));
            command.stop();
            assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        }
    }
}
