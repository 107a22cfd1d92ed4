package io.wallaby.bench;

import java.util.List;

/** One scenario of the benchmark: runs itself {@code context.runs()} times and returns its figures. */
interface Scenario {

    /** The short name used by --scenarios, e.g. "engine". */
    String key();

    /** The heading shown in the table, e.g. "1. Engine alone". */
    String title();

    List<Figure> run(BenchContext context) throws Exception;
}
