package io.wallaby.source;

import io.wallaby.connector.ConnectorCommandLine;
import io.wallaby.connector.ShutdownSignal;
import io.wallaby.source.file.FileSourceCommand;
import io.wallaby.source.generator.GeneratorCommand;
import io.wallaby.source.postgres.PostgresSourceCommand;
import picocli.CommandLine.Command;

/** The source connectors, one subcommand each. */
@Command(name = "wallaby-source", mixinStandardHelpOptions = true, showDefaultValues = true,
        version = "wallaby-source 0.1.0",
        description = "Feeds a Wallaby engine's source port. Exit codes: 0 done, 1 runtime failure, 2 usage or configuration error.",
        subcommands = {PostgresSourceCommand.class, GeneratorCommand.class, FileSourceCommand.class})
public final class SourceMain implements Runnable {

    public static void main(String[] args) {
        ShutdownSignal.enable(); // a real process: SIGTERM then stops a command politely (tests run commands without it)
        System.exit(ConnectorCommandLine.execute(new SourceMain(), args));
    }

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "choose a source: postgres, generator or file (see --help)");
    }
}
