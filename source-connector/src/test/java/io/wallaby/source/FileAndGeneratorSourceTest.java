package io.wallaby.source;

import io.wallaby.connector.FakeEngine;
import io.wallaby.connector.ConnectorCommandLine;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The finite sources end to end against a test playing the engine: they send, close with EOS and exit 0. */
class FileAndGeneratorSourceTest {

    private static final int HUGE = 2_000_000;

    private static CompletableFuture<Integer> run(String... args) {
        return CompletableFuture.supplyAsync(() -> ConnectorCommandLine.execute(new SourceMain(), args));
    }

    /** Plays the engine: accepts, opens the stream at {@code point}, acknowledges {@code expected} messages. */
    private static List<Frame.Message> serve(FakeEngine engine, String stream, long point, int expected) throws Exception {
        Frame.Hello hello = engine.acceptAndOk(1000);
        Frame.Notify notify = engine.read(Frame.Notify.class);
        assertEquals(StreamIds.of(stream), notify.streamId());
        assertEquals(stream, notify.streamName());
        engine.send(new Frame.NotifyAck(true, notify.streamId(), point));
        List<Frame.Message> messages = new java.util.ArrayList<>();
        for (int i = 0; i < expected; i++) {
            messages.add(engine.read(Frame.Message.class));
        }
        long last = messages.isEmpty() ? point : messages.get(messages.size() - 1).messageId();
        engine.send(new Frame.Ack(1000, List.of(new Frame.StreamPoint(notify.streamId(), last))));
        assertEquals(new Frame.Eos(notify.streamId()), engine.read(Frame.Eos.class));
        engine.send(new Frame.Ack(1, List.of(new Frame.StreamPoint(notify.streamId(), last))));
        return messages;
    }

    @Test
    void generatorSendsCountTransactionsAndResumesAfterTheEnginesPoint() throws Exception {
        try (FakeEngine engine = new FakeEngine()) {
            CompletableFuture<Integer> exit = run("generator", "--engine-port", "" + engine.port(), "--count", "4");
            List<Frame.Message> messages = serve(engine, "generator", Frame.U64_MAX, 4);
            assertEquals(0L, messages.get(0).messageId());
            assertEquals("{\"id\":2,\"amount\":565}", new String(messages.get(2).payload(), StandardCharsets.UTF_8));
            assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        }
        try (FakeEngine engine = new FakeEngine()) {
            CompletableFuture<Integer> exit = run("generator", "--engine-port", "" + engine.port(), "--count", "4");
            List<Frame.Message> messages = serve(engine, "generator", 2, 1); // the engine already has 0..2
            assertEquals(3L, messages.get(0).messageId());
            assertEquals("{\"id\":3,\"amount\":1072}", new String(messages.get(0).payload(), StandardCharsets.UTF_8));
            assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void fileSendsNonEmptyLinesWithTheirLineNumbers(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("events.jsonl");
        Files.writeString(file, "{\"a\":1}\n\n{\"a\":3}\n{\"a\":4}");
        try (FakeEngine engine = new FakeEngine()) {
            CompletableFuture<Integer> exit = run("file", "--engine-port", "" + engine.port(), "--path", file.toString());
            List<Frame.Message> messages = serve(engine, "events.jsonl", 1, 2); // line 1 was acknowledged before
            assertEquals(List.of(3L, 4L), messages.stream().map(Frame.Message::messageId).toList());
            assertEquals("{\"a\":4}", new String(messages.get(1).payload(), StandardCharsets.UTF_8));
            assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void followSendsLinesAppendedLater(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("growing.jsonl");
        Files.writeString(file, "{\"n\":1}\n");
        try (FakeEngine engine = new FakeEngine()) {
            CompletableFuture<Integer> exit = run("file", "--engine-port", "" + engine.port(), "--path", file.toString(),
                    "--follow");
            engine.acceptAndOk(100);
            Frame.Notify notify = engine.read(Frame.Notify.class);
            engine.send(new Frame.NotifyAck(true, notify.streamId(), Frame.U64_MAX));
            assertEquals(1L, engine.read(Frame.Message.class).messageId());
            Files.writeString(file, "{\"n\":2}\n{\"n\":", java.nio.file.StandardOpenOption.APPEND);
            Frame.Message second = engine.read(Frame.Message.class);
            assertEquals(2L, second.messageId());
            assertEquals("{\"n\":2}", new String(second.payload(), StandardCharsets.UTF_8));
            Files.writeString(file, "3}\n", java.nio.file.StandardOpenOption.APPEND);
            assertEquals("{\"n\":3}", new String(engine.read(Frame.Message.class).payload(), StandardCharsets.UTF_8),
                    "a partial line waits for its newline");
            exit.cancel(true);
        }
    }

    /**
     * A line too large for a MESSAGE frame (2 MB against the default 1 MiB maximum) must not wedge the file
     * source: it goes as an empty message, and the lines after it flow with their usual ids.
     */
    @Test
    void fileSourceSkipsALineTooLongAndSendsTheLinesAfterIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("wide.jsonl");
        Files.writeString(file, "{\"a\":1}\n{\"note\":\"" + "x".repeat(HUGE) + "\"}\n{\"a\":3}\n");
        try (FakeEngine engine = new FakeEngine()) {
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> ConnectorCommandLine.execute(
                    new SourceMain(), "file", "--engine-port", "" + engine.port(), "--path", file.toString()));
            engine.acceptAndOk(1000);
            long stream = engine.read(Frame.Notify.class).streamId();
            engine.send(new Frame.NotifyAck(true, stream, Frame.U64_MAX));
            List<Frame.Message> messages = List.of(engine.read(Frame.Message.class),
                    engine.read(Frame.Message.class), engine.read(Frame.Message.class));
            assertEquals(List.of(1L, 2L, 3L), messages.stream().map(Frame.Message::messageId).toList());
            assertEquals(0, messages.get(1).payload().length);
            assertEquals("{\"a\":3}", text(messages.get(2)));
            engine.send(new Frame.Ack(10, List.of(new Frame.StreamPoint(stream, 3))));
            engine.read(Frame.Eos.class);
            engine.send(new Frame.Ack(1, List.of(new Frame.StreamPoint(stream, 3))));
            assertEquals(0, exit.get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void badFlagsAreUsageErrors() {
        assertEquals(2, ConnectorCommandLine.execute(new SourceMain(), "generator", "--no-such-flag"));
        assertEquals(2, ConnectorCommandLine.execute(new SourceMain(), "generator", "--rate", "-1"));
        assertEquals(2, ConnectorCommandLine.execute(new SourceMain(), "file", "--path", "/no/such/file"));
        assertEquals(0, ConnectorCommandLine.execute(new SourceMain(), "postgres", "--help"));
    }

    private static String text(Frame.Message message) {
        return new String(message.payload(), StandardCharsets.UTF_8);
    }
}
