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
 * <p>A sink:
 * <pre>{@code
 * try (SinkConnector connector = new SinkConnector(engine.settings("my-sink"))) {
 *     connector.connect(stream -> store.committedPoint(stream));   // U64_MAX when none
 *     while (true) {
 *         List<SinkMessage> batch = connector.readBatch(500, Duration.ofMillis(20));
 *         store.writeWithOffsets(batch);                              // one transaction
 *         connector.commitMessages(batch);                            // then acknowledge
 *     }
 * }
 * }</pre>
 */
package io.wallaby.connector;
