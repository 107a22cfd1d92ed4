package io.wallaby.source.postgres;

import io.wallaby.connector.CommandThreads;
import io.wallaby.connector.FakeEngine;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.StreamIds;
import picocli.CommandLine;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A postgres source run in this JVM, as a test drives it: started with flags against a {@link FakeEngine}
 * that plays the engine's side of the session (HELLO, NOTIFY answered with a chosen point), then stopped
 * as SIGTERM would.
 */
record RunningSource(PostgresSourceCommand command, CompletableFuture<Integer> exit, long streamId) {

    /** Starts the command with {@code flags}; the engine grants {@code credits} and answers NOTIFY with {@code point}. */
    static RunningSource start(FakeEngine engine, String stream, long point, long credits, List<String> flags)
            throws Exception {
        PostgresSourceCommand command = new PostgresSourceCommand();
        new CommandLine(command).parseArgs(flags.toArray(String[]::new));
        CompletableFuture<Integer> exit = CommandThreads.start(command);
        engine.acceptAndOk(credits);
        long id = StreamIds.of(stream);
        assertEquals(new Frame.Notify(id, stream, Frame.U64_MAX), engine.read(Frame.Notify.class));
        engine.send(new Frame.NotifyAck(true, id, point));
        return new RunningSource(command, exit, id);
    }

    /** SIGTERM once the engine acknowledged everything up to {@code point}: EOS, final ACK, exit 0. */
    void stopAcknowledging(FakeEngine engine, long point) throws Exception {
        command.stop();
        engine.send(new Frame.Ack(1, List.of(new Frame.StreamPoint(streamId, point))));
        engine.read(Frame.Eos.class);
        engine.send(new Frame.Ack(1, List.of(new Frame.StreamPoint(streamId, point))));
        assertEquals(0, exit.get(20, TimeUnit.SECONDS));
    }

    /** SIGTERM while the engine leaves messages unacknowledged: the connector gives up waiting and exits 0. */
    void stopUnacknowledged() throws Exception {
        command.stop();
        assertEquals(0, exit.get(20, TimeUnit.SECONDS));
    }

    /** The source failed before sending anything: it closes its stream (EOS) and its run ends with this message. */
    String failure(FakeEngine engine) throws Exception {
        engine.read(Frame.Eos.class);
        engine.send(new Frame.Ack(1, List.of(new Frame.StreamPoint(streamId, 0))));
        ExecutionException failed = assertThrows(ExecutionException.class, () -> exit.get(20, TimeUnit.SECONDS));
        return failed.getCause().getCause().getMessage();
    }
}
