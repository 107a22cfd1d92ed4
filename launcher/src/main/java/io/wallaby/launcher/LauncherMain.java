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
        CommandLine commandLine = new CommandLine(new LauncherMain());
        // A failure is one line that says what went wrong, not a stack trace (Ctrl-C during the demo ends
        // up here too, when the database it was writing to has just been stopped).
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        });
        System.exit(commandLine.execute(args));
    }
}
