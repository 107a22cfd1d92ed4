/**
 * The connector SDK: what a connector author writes a sidecar against. The runtime (sessions, credits,
 * reconnection, replay) stays behind these few classes; their javadoc is the contract.
 *
 * <p>A source, in the shape of Wallaroo's connector SDK (declare parameters, connect, read them, write):
 * <pre>{@code
 * @Command(name = "my-source", mixinStandardHelpOptions = true, showDefaultValues = true)
 * class MySource implements Callable<Integer> {
 *     @Mixin ConnectorOptions.Source engine;          // --engine-host, --engine-port (7100), --cookie, ...
 *     public Integer call() {
 *         try (SourceConnector connector = new SourceConnector(engine.settings("my-source"))) {
 *             connector.connect();
 *             long acknowledged = connector.openStream("events");   // resume after this (U64_MAX: from the start)
 *             for (...) connector.write("events", nextId++, payload);
 *             return connector.closeStream("events", Duration.ofSeconds(60)) ? 0 : 1;
 *         }
 *     }
 *     public static void main(String[] args) { System.exit(ConnectorCommandLine.execute(new MySource(), args)); }
 * }
 * }</pre>
 *
 * <p>A sink implements {@link io.wallaby.connector.SinkTask} (where it stands on a stream, and "store this
 * batch durably") and hands it to a {@link io.wallaby.connector.SinkRunner}, which does the rest: credits,
 * duplicate skipping, acknowledgement, retries of a {@link io.wallaby.connector.RetriableException}, stop
 * and drain.
 * <pre>{@code
 * private final SinkRunner runner = new SinkRunner();
 *
 * public Integer call() throws Exception {
 *     ShutdownSignal.onTerminate(runner::stop, Duration.ofSeconds(30));  // SIGTERM: finish the batch, exit 0
 *     runner.run(engine.settings("my-sink"), new SinkTask() {
 *         public long committedPoint(String stream) throws Exception {
 *             return db.committedPoint(stream);                         // U64_MAX when none
 *         }
 *         public void store(List<SinkMessage> batch) throws Exception {
 *             db.writeWithOffsets(batch);      // one transaction; the runner acknowledges after it
 *         }
 *     });
 *     return 0;
 * }
 * }</pre>
 * {@link io.wallaby.connector.SinkConnector} is the protocol client under the runner, for a sink that needs
 * its own loop.
 */
package io.wallaby.connector;
