package io.wallaby.sink;

import io.wallaby.connector.ConnectorOptions;
import io.wallaby.connector.SinkConnector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Callable;

/** Prints each payload as one UTF-8 line on stdout. */
@Command(name = "stdout", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Prints each message's payload as one line on stdout (logs go to stderr).")
final class StdoutSinkCommand implements Callable<Integer> {

    @Mixin
    ConnectorOptions.Sink engine;

    @Override
    public Integer call() throws IOException {
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
            }, () -> false);
        }
        return 0;
    }
}
