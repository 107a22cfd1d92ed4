package io.wallaby.launcher;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code launch.sh postgres}: an embedded PostgreSQL that keeps running until Ctrl-C. */
@Command(name = "postgres", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Starts an embedded PostgreSQL, prints its connection string, and runs until Ctrl-C.")
final class PostgresCommand implements Callable<Integer> {

    @Option(names = "--port", description = "TCP port on 127.0.0.1 (0 picks a free one).")
    int port = 15432;

    @Option(names = "--data-dir", description = "Where the database cluster is kept between runs.")
    Path dataDir = Path.of(".wallaby", "postgres");

    @Override
    public Integer call() throws Exception {
        EmbeddedDatabase database = EmbeddedDatabase.start(port, dataDir.toAbsolutePath());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                database.close();
            } catch (Exception e) {
                System.err.println("stopping PostgreSQL failed: " + e.getMessage());
            }
            stopped.countDown();
        }, "postgres-stop"));
        System.out.println("PostgreSQL is ready. Pass this to any connector:");
        System.out.println("  --connection \"" + database.connectionString() + "\"");
        System.out.println("Data in " + dataDir.toAbsolutePath() + ". Ctrl-C stops it.");
        stopped.await();
        return 0;
    }
}
