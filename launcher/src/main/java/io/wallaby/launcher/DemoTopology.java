package io.wallaby.launcher;

import java.time.Duration;
import java.util.List;

/**
 * Where a demo job runs ({@link DemoJob}): one engine ({@link StandaloneTopology}) or a cluster of engines
 * coordinated by a Kafka broker ({@link ClusterTopology}). It starts the engines (and what they need), tells the
 * connectors where they are, knows when every stream is through, and stops all it started, connectors included,
 * on {@link #close()}: from the end of the demo or from Ctrl-C.
 */
interface DemoTopology extends AutoCloseable {

    /** What starts the demo's processes, the connectors among them: {@link #close()} stops them all. */
    Pieces pieces();

    /** How many streams the source splits {@code transactions} into for {@code job}. */
    int streams(DemoJob job);

    /** For the summary: "one engine", "a cluster of 3 engines". */
    String describe();

    /**
     * Starts the engines running {@code job}, each also given {@code sourceAdmin} (the source's admin port, whose
     * slot figures its web view shows), and says where each engine's web view is.
     */
    void startEngines(DemoJob job, String sourceAdmin) throws Exception;

    /** The engines' source addresses, {@code host:port,...}: what the source connector is told. */
    String sourceAddresses();

    /** The engines' sink addresses: what the sink connector is told. */
    String sinkAddresses();

    /**
     * Waits until each of {@code streams} has acknowledged the last message it saw, on whichever engine serves
     * it: an engine acknowledges only what its sinks committed (and its checkpoints hold), so from then on nothing
     * more reaches alert_log.
     */
    void awaitAcknowledged(List<String> streams, Duration timeout) throws Exception;

    /** Says, after the check, what a person may want to know of this topology (who served which stream). */
    void report() throws Exception;

    /** Stops every process it started, connectors first, then the engines, then whatever the engines needed. */
    @Override
    void close() throws InterruptedException;

    /** The address of an engine's web view, said as soon as the engine is up: it is live from then on. */
    static void sayWebView(String engine, int adminPort) {
        System.out.println("Web view" + (engine == null ? "" : " of " + engine) + ": http://127.0.0.1:" + adminPort
                + "/ (the pipeline and its curves, live while the demo runs)");
    }
}
