package io.wallaby.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One engine on the ports the demo was given ({@code --source-port}, {@code --sink-port}), with its web view on a
 * free port; a stateful job's checkpoints go to its folder under {@code .wallaby}, emptied at each run.
 */
final class StandaloneTopology implements DemoTopology {

    private final Path home;
    private final Pieces pieces;
    private int adminPort;

    StandaloneTopology(Path home, Path logDir, int sourcePort, int sinkPort) throws IOException {
        this.home = home;
        this.pieces = new Pieces(home, logDir, sourcePort, sinkPort);
    }

    @Override
    public Pieces pieces() {
        return pieces;
    }

    @Override
    public int streams(DemoJob job) {
        return job.streamsAlone();
    }

    @Override
    public String describe() {
        return "one engine";
    }

    @Override
    public void startEngines(DemoJob job, String sourceAdmin) throws Exception {
        adminPort = Pieces.freePort();
        List<String> args = new ArrayList<>(job.engineArgs());
        String state = "";
        if (job.stateDir() != null) {
            Path stateDir = DemoFolders.fresh(home, job.stateDir());
            args.addAll(List.of("--state-dir", stateDir.toString()));
            state = "; checkpoints in " + stateDir;
        }
        args.addAll(List.of("--admin-port", Integer.toString(adminPort), "--source-admin", sourceAdmin));
        say("Starting the engine (" + job.describe() + state + ")...");
        pieces.startEngine(args.toArray(String[]::new));
        DemoTopology.sayWebView(null, adminPort);
    }

    @Override
    public String sourceAddresses() {
        return "127.0.0.1:" + pieces.sourcePort();
    }

    @Override
    public String sinkAddresses() {
        return "127.0.0.1:" + pieces.sinkPort();
    }

    @Override
    public void awaitAcknowledged(List<String> streams, Duration timeout) throws InterruptedException {
        new EngineStatus(adminPort).awaitAcknowledged(streams, timeout);
    }

    @Override
    public void report() {
        // One engine served every stream: nothing to add.
    }

    @Override
    public void close() throws InterruptedException {
        pieces.close();
    }

    private static void say(String line) {
        System.out.println(line);
    }
}
