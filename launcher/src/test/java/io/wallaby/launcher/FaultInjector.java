package io.wallaby.launcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The running pipeline of a fault-injection test (an engine, a source and a sink, each its own process, and
 * the database) and the faults done to it: SIGKILL, a graceful restart, PostgreSQL stopped or crashed, a
 * connector replaced by a second instance. A restarted piece gets the arguments it first had, as a supervisor
 * would restart it: an engine with a {@code --state-dir} finds its checkpoints there.
 */
final class FaultInjector {

    /** How long a SIGTERM'd piece may take to drain before the test calls it stuck. */
    private static final Duration GRACEFUL_STOP = Duration.ofSeconds(40);

    enum Fault {
        KILL_SOURCE, KILL_SINK, KILL_ENGINE, RESTART_ENGINE, RESTART_POSTGRES, CRASH_POSTGRES, REPLACE_SOURCE, REPLACE_SINK
    }

    private final Pieces pieces;
    private final TestDatabase database;
    private final String[] engineArgs;
    private final String[] sourceArgs;
    private final String[] sinkArgs;
    private PieceProcess engine;
    private PieceProcess source;
    private PieceProcess sink;
    private int started;

    /**
     * Starts the engine, the postgres sink and the postgres source.
     *
     * @param firstSourceArgs extra arguments for the first source only (such as {@code --create-table})
     */
    FaultInjector(Pieces pieces, TestDatabase database, List<String> engineArgs, List<String> sourceArgs,
                  String... firstSourceArgs) throws Exception {
        this.pieces = pieces;
        this.database = database;
        this.engineArgs = engineArgs.toArray(String[]::new);
        this.sourceArgs = sourceArgs.toArray(String[]::new);
        this.sinkArgs = new String[] {"--connection", database.connectionString()};
        List<String> first = new ArrayList<>(sourceArgs);
        first.addAll(List.of(firstSourceArgs));
        engine = pieces.startEngine(this.engineArgs);
        sink = pieces.startSink("sink-1", "postgres", sinkArgs);
        source = pieces.startSource("source-1", "postgres", first.toArray(String[]::new));
        started = 1;
    }

    /**
     * The faults to inject, shuffled: each kind {@code shortRounds} times in the default run; for the soak
     * ({@code WALLABY_SOAK_MINUTES}), random ones for its duration. PostgreSQL is restarted only where it is ours.
     */
    static List<Fault> schedule(Random random, int shortRounds, boolean canRestartDatabase) {
        List<Fault> faults = new ArrayList<>();
        String soak = System.getenv("WALLABY_SOAK_MINUTES");
        int rounds = soak == null ? shortRounds
                : Math.max(2, (int) (Duration.ofMinutes(Long.parseLong(soak)).toSeconds() / 20));
        for (int i = 0; i < rounds; i++) {
            for (Fault fault : Fault.values()) {
                boolean restarts = fault == Fault.RESTART_POSTGRES || fault == Fault.CRASH_POSTGRES;
                if (!restarts || canRestartDatabase) {
                    faults.add(fault);
                }
            }
        }
        Collections.shuffle(faults, random);
        return faults;
    }

    /** Does {@code fault} now; it returns once the pieces it replaced are up again. */
    void inject(Fault fault, Random random) throws Exception {
        started++;
        switch (fault) {
            case KILL_SOURCE -> {
                source.kill();
                source = pieces.startSource("source-" + started, "postgres", sourceArgs);
            }
            case KILL_SINK -> {
                sink.kill();
                sink = pieces.startSink("sink-" + started, "postgres", sinkArgs);
            }
            case KILL_ENGINE -> {
                engine.kill();
                engine = pieces.startEngine(engineArgs);
            }
            case RESTART_ENGINE -> {
                assertEquals(0, engine.stop(GRACEFUL_STOP), "an engine stopped with SIGTERM drains and exits 0");
                engine = pieces.startEngine(engineArgs);
            }
            case RESTART_POSTGRES -> database.restart();
            case CRASH_POSTGRES -> database.crashAndRestart();
            case REPLACE_SOURCE -> {
                PieceProcess second = pieces.startSource("source-" + started, "postgres", sourceArgs);
                Thread.sleep(random.nextInt(1000)); // a random moment for the fault, not a synchronisation
                assertEquals(0, source.stop(GRACEFUL_STOP), "a source stopped with SIGTERM drains and exits 0");
                source = second;
            }
            case REPLACE_SINK -> {
                PieceProcess second = pieces.startSink("sink-" + started, "postgres", sinkArgs);
                Thread.sleep(random.nextInt(1000)); // a random moment for the fault, not a synchronisation
                assertEquals(0, sink.stop(GRACEFUL_STOP), "a sink stopped with SIGTERM commits and exits 0");
                sink = second;
            }
        }
    }
}
