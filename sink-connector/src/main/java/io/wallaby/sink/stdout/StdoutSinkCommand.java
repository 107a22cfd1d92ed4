package io.wallaby.sink.stdout;

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

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Prints each payload as one UTF-8 line on stdout: the shortest complete sink on the SDK's {@link SinkRunner}.
 * It keeps no committed point, so it answers every stream with "nothing committed".
 */
@Command(name = "stdout", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Prints each message's payload as one line on stdout (logs go to stderr).",
                "Keeps no committed point: after a restart the engine redelivers what it still holds (at least once).",
                "SIGTERM: finish and flush the batch in hand, acknowledge it, exit 0."})
public final class StdoutSinkCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(StdoutSinkCommand.class);

    @Mixin
    ConnectorOptions.Sink engine;

    @Mixin
    ClusterOptions cluster;

    /** Runs the loop; a field, so that a stop that comes before {@link #call()} gets that far is not lost. */
    private final SinkRunner runner = new SinkRunner();

    @Override
    public Integer call() throws Exception {
        if (ShutdownSignal.enabled()) {
            ShutdownSignal.onTerminate(this::stop, Duration.ofSeconds(30));
        }
        ConnectorSettings settings = engine.settings("wallaby-sink-stdout");
        cluster.configure(runner, settings);
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
        runner.run(settings, new SinkTask() {
            @Override
            public void connected() {
                log.info("ready: writing one line per message");
            }

            @Override
            public long committedPoint(String streamName) {
                return Frame.U64_MAX;
            }

            /** An IOException (stdout closed) is fatal: no retry brings a closed pipe back. */
            @Override
            public void store(List<SinkMessage> batch) throws IOException {
                for (SinkMessage m : batch) {
                    out.write(m.payload());
                    out.write('\n');
                }
                out.flush();
            }
        });
        return 0;
    }

    /** Makes {@link #call()} return after the batch in hand. */
    void stop() {
        runner.stop();
    }
}
