package io.wallaby.connector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Runs a connector's picocli command with exit codes that mean something: 0 when it finished, 1 when it
 * failed at run time (the engine or database unreachable, an I/O error), 2 for a usage or configuration
 * error (a bad flag, or a {@link ConfigurationException}).
 */
public final class ConnectorCommandLine {

    public static final int OK = 0;
    public static final int RUNTIME_FAILURE = 1;
    public static final int CONFIGURATION_ERROR = 2;

    private static final Logger log = LoggerFactory.getLogger(ConnectorCommandLine.class);

    private ConnectorCommandLine() {
    }

    /** Parses {@code args}, runs the chosen (sub)command and returns the process exit code. */
    public static int execute(Object command, String... args) {
        CommandLine commandLine = new CommandLine(command);
        commandLine.setExecutionExceptionHandler((e, failed, parseResult) -> {
            if (e instanceof ConfigurationException) {
                failed.getErr().println("error: " + e.getMessage());
                return CONFIGURATION_ERROR;
            }
            // A log line, not a bare print: it then has the chosen --log-format and the connector's identity.
            log.error("exiting with status {}: {}", RUNTIME_FAILURE, e.getMessage() == null ? e.toString() : e.getMessage());
            log.debug("failure", e);
            return RUNTIME_FAILURE;
        });
        int exitCode = commandLine.execute(args);
        return exitCode == CommandLine.ExitCode.USAGE ? CONFIGURATION_ERROR : exitCode;
    }
}
