package io.wallaby.sink;

import io.wallaby.connector.ConnectorCommandLine;
import io.wallaby.connector.ShutdownSignal;
import io.wallaby.sink.file.FileSinkCommand;
import io.wallaby.sink.postgres.PostgresSinkCommand;
import io.wallaby.sink.stdout.StdoutSinkCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The sink connectors, one subcommand each. */
@Command(name = "wallaby-sink", mixinStandardHelpOptions = true, showDefaultValues = true,
        version = "wallaby-sink 0.1.0",
        description = "Drains a Wallaby engine's sink port. Exit codes: 0 done, 1 runtime failure, 2 usage or configuration error.",
        subcommands = {PostgresSinkCommand.class, StdoutSinkCommand.class, FileSinkCommand.class})
public final class SinkMain implements Runnable {

    public static void main(String[] args) {
        ShutdownSignal.enable(); // a real process: SIGTERM then stops a command politely (tests run commands without it)
        System.exit(ConnectorCommandLine.execute(new SinkMain(), args));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this),
                "choose a sink: postgres, stdout or file (see --help)");
    }
}
