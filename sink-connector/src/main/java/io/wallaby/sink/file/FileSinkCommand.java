package io.wallaby.sink.file;

import io.wallaby.connector.ConfigurationException;
import io.wallaby.connector.ConnectorOptions;
import io.wallaby.connector.ConnectorSettings;
import io.wallaby.sink.cluster.ClusterOptions;
import io.wallaby.connector.ShutdownSignal;
import io.wallaby.connector.SinkMessage;
import io.wallaby.connector.SinkRunner;
import io.wallaby.connector.SinkTask;
import io.wallaby.protocol.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
import java.util.List;
import java.util.concurrent.Callable;

/** Appends each payload as one line to a file, fsyncing each batch before acknowledging it. */
@Command(name = "file", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Appends each message's payload as one line to a file; each batch is fsynced before it is acknowledged.",
                "Keeps no committed point: after a restart the engine redelivers what it still holds (at least once).",
                "SIGTERM: finish and fsync the batch in hand, acknowledge it, exit 0."})
public final class FileSinkCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(FileSinkCommand.class);

    @Mixin
    ConnectorOptions.Sink engine;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--path", required = true, description = "The file to append to; created when missing.")
    Path path;

    /** Runs the loop; a field, so that a stop that comes before {@link #call()} gets that far is not lost. */
    private final SinkRunner runner = new SinkRunner();

    @Override
    public Integer call() throws Exception {
        if (ShutdownSignal.enabled()) {
            ShutdownSignal.onTerminate(this::stop, Duration.ofSeconds(30));
        }
        ConnectorSettings settings = engine.settings("wallaby-sink-file");
        cluster.configure(runner, settings);
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new ConfigurationException("--path " + path + ": the directory " + parent + " does not exist");
        }
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer newline = ByteBuffer.wrap(new byte[] {'\n'});
            runner.run(settings, new SinkTask() {
                @Override
                public void connected() {
                    log.info("ready: writing one line per message");
                }

                @Override
                public long committedPoint(String streamName) {
                    return Frame.U64_MAX; // keeps none: the engine redelivers what it holds (at least once)
                }

                /** An IOException (disk full, file gone) is fatal: the sink exits rather than spin on it. */
                @Override
                public void store(List<SinkMessage> batch) throws IOException {
                    for (SinkMessage m : batch) {
                        ByteBuffer[] line = {ByteBuffer.wrap(m.payload()), newline.rewind()};
                        while (line[1].hasRemaining()) {
                            file.write(line);
                        }
                    }
                    file.force(false); // durable before the runner acknowledges
                }
            });
        }
        return 0;
    }

    /** Makes {@link #call()} return after the batch in hand. */
    public void stop() {
        runner.stop();
    }
}
