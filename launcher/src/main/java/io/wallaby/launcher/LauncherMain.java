package io.wallaby.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code launch.sh}'s Java half: the commands that start more than one piece, or a database.
 * Exit codes: 0 done, 1 the run failed, 2 a bad flag.
 */
@Command(name = "wallaby-launcher", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Runs the Wallaby demo, an embedded PostgreSQL for trying Wallaby out, or the status of a running engine.",
        subcommands = {DemoCommand.class, PostgresCommand.class, StatusCommand.class})
public final class LauncherMain {

    public static void main(String[] args) {
        System.exit(new CommandLine(new LauncherMain()).execute(args));
    }
}
