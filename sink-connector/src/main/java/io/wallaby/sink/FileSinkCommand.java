package io.wallaby.sink;

import io.wallaby.connector.ConfigurationException;
import io.wallaby.connector.ConnectorOptions;
import io.wallaby.connector.ShutdownSignal;
import io.wallaby.connector.SinkConnector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.Callable;

/** Appends each payload as one line to a file, fsyncing each batch before acknowledging it. */
@Command(name = "file", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Appends each message's payload as one line to a file; each batch is fsynced before it is acknowledged.",
                "Keeps no committed point: after a restart the engine redelivers what it still holds (at least once).",
                "SIGTERM: finish and fsync the batch in hand, acknowledge it, exit 0."})
final class FileSinkCommand implements Callable<Integer> {

    @Mixin
    ConnectorOptions.Sink engine;

    @Option(names = "--path", required = true, description = "The file to append to; created when missing.")
    Path path;

    private volatile boolean stopping;

    @Override
    public Integer call() throws IOException {
        if (SinkMain.handlesSignals()) {
            ShutdownSignal.onTerminate(this::stop, Duration.ofSeconds(30));
        }
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new ConfigurationException("--path " + path + ": the directory " + parent + " does not exist");
        }
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
             SinkConnector connector = new SinkConnector(engine.settings("wallaby-sink-file"))) {
            ByteBuffer newline = ByteBuffer.wrap(new byte[] {'\n'});
            LineSink.run(connector, new LineSink.Output() {
                @Override
                public void writeLine(byte[] payload) throws IOException {
                    ByteBuffer[] line = {ByteBuffer.wrap(payload), newline.rewind()};
                    while (line[1].hasRemaining()) {
                        file.write(line);
                    }
                }

                @Override
                public void flush() throws IOException {
                    file.force(false);
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
