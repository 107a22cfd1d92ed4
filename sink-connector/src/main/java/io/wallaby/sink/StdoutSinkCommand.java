package io.wallaby.sink;

import io.wallaby.connector.ConnectorOptions;
import io.wallaby.connector.ShutdownSignal;
import io.wallaby.connector.SinkConnector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.Callable;

/** Prints each payload as one UTF-8 line on stdout. */
@Command(name = "stdout", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Prints each message's payload as one line on stdout (logs go to stderr).",
                "Keeps no committed point: after a restart the engine redelivers what it still holds (at least once).",
                "SIGTERM: finish and flush the batch in hand, acknowledge it, exit 0."})
final class StdoutSinkCommand implements Callable<Integer> {

    @Mixin
    ConnectorOptions.Sink engine;

    private volatile boolean stopping;

    @Override
    public Integer call() throws IOException {
        if (SinkMain.handlesSignals()) {
            ShutdownSignal.onTerminate(this::stop, Duration.ofSeconds(30));
        }
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
        try (SinkConnector connector = new SinkConnector(engine.settings("wallaby-sink-stdout"))) {
            LineSink.run(connector, new LineSink.Output() {
                @Override
                public void writeLine(byte[] payload) throws IOException {
                    out.write(payload);
                    out.write('\n');
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }
            }, () -> stopping);
        }
        return 0;
    }

    /** Makes {@link #call()} return after the batch in hand. */
    void stop() {
        stopping = true;
    }
}
