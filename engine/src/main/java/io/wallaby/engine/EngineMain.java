package io.wallaby.engine;

import io.wallaby.api.Application;
import io.wallaby.apps.AlertStateless;
import io.wallaby.protocol.Frames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/** The {@code wallaby-engine} command. */
@Command(name = "wallaby-engine", mixinStandardHelpOptions = true, showDefaultValues = true,
        version = "Wallaby engine 0.1.0",
        description = "Runs a Wallaby application: source connectors feed it on the source port, "
                + "sink connectors drain it on the sink port.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:help or version shown (after SIGTERM or Ctrl-C the engine closes its ports and the JVM exits with 143 or 130)",
                "1:runtime failure, such as a port already in use",
                "2:usage or configuration error, such as an unknown option or application"})
public final class EngineMain implements Callable<Integer> {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    private static final Logger log = LoggerFactory.getLogger(EngineMain.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--host", description = "Address to listen on.")
    String host = EngineConfig.DEFAULT_HOST;

    @Option(names = "--source-port", description = "Port for source connectors (0: any free port).")
    int sourcePort = EngineConfig.DEFAULT_SOURCE_PORT;

    @Option(names = "--sink-port", description = "Port for sink connectors (0: any free port).")
    int sinkPort = EngineConfig.DEFAULT_SINK_PORT;

    @Option(names = "--cookie", description = "Shared secret every connector's HELLO must carry.")
    String cookie = "";

    @Option(names = "--application", paramLabel = "NAME|CLASS",
            description = "Built-in application name or fully qualified class implementing io.wallaby.api.Application.")
    String application = AlertStateless.NAME;

    @Option(names = "--max-frame-length", paramLabel = "BYTES", description = "Longest frame accepted.")
    int maxFrameLength = Frames.DEFAULT_MAX_FRAME_LENGTH;

    @Option(names = "--max-credits", description = "Credits a source connector gets, and is topped back up to.")
    long maxCredits = EngineConfig.DEFAULT_MAX_CREDITS;

    @Option(names = "--refill-level", description = "Remaining source credit at which the engine tops it up.")
    long refillLevel = EngineConfig.DEFAULT_REFILL_LEVEL;

    @Option(names = "--max-pending", paramLabel = "OUTPUTS",
            description = "Outputs held for sinks before sources get no more credit.")
    long maxPending = EngineConfig.DEFAULT_MAX_PENDING;

    public static void main(String[] args) {
        int code = new CommandLine(new EngineMain()).execute(args);
        // After a normal stop the JVM is already shutting down: exiting again from here would block.
        if (code != EXIT_OK) {
            System.exit(code);
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        EngineConfig config = new EngineConfig(host, sourcePort, sinkPort, cookie, maxFrameLength, maxCredits,
                refillLevel, maxPending);
        List<String> problems = config.problems();
        if (!problems.isEmpty()) {
            problems.forEach(this::printError);
            return EXIT_USAGE;
        }
        Application app;
        try {
            app = ApplicationLoader.load(application);
        } catch (IllegalArgumentException e) {
            printError(e.getMessage());
            return EXIT_USAGE;
        }
        EngineServer server;
        try {
            server = new EngineServer(config, app).start();
        } catch (PortUnavailableException e) {
            printError(e.getMessage());
            return EXIT_FAILURE;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Wallaby engine stopping");
            server.close();
        }, "wallaby-engine-shutdown"));
        log.info("Wallaby engine ready: application {}, sources on {}:{}, sinks on {}:{}", application, host,
                server.sourcePort(), host, server.sinkPort());
        server.awaitClosed();
        return EXIT_OK;
    }

    private void printError(String message) {
        spec.commandLine().getErr().println("wallaby-engine: " + message);
        spec.commandLine().getErr().flush();
    }
}
