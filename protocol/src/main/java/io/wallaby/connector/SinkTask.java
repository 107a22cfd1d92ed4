package io.wallaby.connector;

import io.wallaby.protocol.Frame;

import java.util.List;

/**
 * What a sink connector's author writes: where the sink stands on a stream, and "store this batch durably".
 * A {@link SinkRunner} does the rest: the engine session, credits, duplicate skipping, acknowledgement,
 * retries, stop and drain. In the shape of Kafka Connect's {@code SinkTask} ({@code put}) and Flink's
 * {@code SinkWriter}, except that a batch is acknowledged as soon as {@link #store} returns, so there is no
 * separate flush.
 *
 * <h2>Lifecycle and threads</h2>
 * The author builds the task with whatever it stores into (a database connection, a file) and hands it to
 * {@link SinkRunner#run}; the runner calls it only from the thread that called {@code run}, one call at a
 * time, and never after {@code run} returns. The author closes its own resources after {@code run}.
 * <ol>
 *   <li>{@link #connected()}, once, after the runner's first connection to an engine and before any other
 *       call: the place to log {@code ready: ...}, which launchers wait for.</li>
 *   <li>Then, in any order: {@link #committedPoint} each time an engine announces a stream (at the start,
 *       again after every reconnection, and, in a cluster, when another engine takes the stream over); {@link #betweenBatches()} before every read of a batch, so at
 *       least once per batch wait even when nothing arrives; {@link #store} for every non-empty batch.</li>
 * </ol>
 *
 * <h2>What is delivered</h2>
 * <ul>
 *   <li>No message at or below a stream's committed point is ever passed to {@link #store}: the committed
 *       point is the later of what {@link #committedPoint} answered and what the runner acknowledged in this
 *       process. A redelivered duplicate (after a reconnection, or after a restart) is dropped before it
 *       reaches the task.</li>
 *   <li>Within a batch, and from one batch to the next, each stream's messages come in strictly increasing
 *       id order. A batch may hold several streams; it holds at most the runner's batch size and at least
 *       one message.</li>
 *   <li>When {@link #store} returns, the runner acknowledges the batch (the last id of each stream in it):
 *       the engine may then forget those messages. Nothing is acknowledged before {@code store} returns.</li>
 *   <li>Several engines (a cluster, {@code --engine-host a,b,c}) feed this one task, all through the same
 *       thread, one call at a time, batches mixing their streams. Around a stream's move from one engine to
 *       another, both may offer it at once, from the same ids: the above still holds per stream, whichever
 *       engine a message came from (increasing ids, nothing at or below the committed point), and the
 *       acknowledgement reaches every engine that announced the stream.</li>
 * </ul>
 *
 * <h2>Exactly once or at least once</h2>
 * A task that writes each stream's last id together with the batch, in one transaction, and answers
 * {@link #committedPoint} from there, neither loses nor doubles a message, whatever process dies when. A
 * task that keeps no committed point answers {@link Frame#U64_MAX}: after a restart the engine redelivers
 * everything it still holds, which may have been stored already (at least once).
 *
 * <h2>Failures</h2>
 * <ul>
 *   <li>{@link RetriableException} from {@link #store} or {@link #committedPoint}: a later attempt may
 *       succeed (a lost connection, a serialization failure, a server restarting). The runner logs it, waits
 *       (100 ms doubling to 5 s) and calls again with the same batch or stream, forever, until it succeeds
 *       or the runner is stopped. A store that failed may have committed all the same (the answer to the
 *       commit was lost): storing the batch again must then add nothing, for instance by skipping the ids
 *       its own committed point covers, or add duplicates only where at-least-once is the promise.</li>
 *   <li>Any other exception is fatal: {@link SinkRunner#run} closes the engine session and throws it (from
 *       {@code store} unchanged; from {@code committedPoint} inside a {@link ConnectorException} that names
 *       the stream), having acknowledged nothing of the batch (the engine gives it to the next sink), and a
 *       command then exits with status 1. Data that can never be stored (a malformed message) should not
 *       be thrown about at all: retrying would block the stream forever, and failing would fail the next
 *       sink too. Set it aside (a dead-letter table) and return normally.</li>
 * </ul>
 *
 * <h2>Stop and drain</h2>
 * {@link SinkRunner#stop()} (on SIGTERM, from a signal thread) lets the batch in hand finish: it is stored,
 * acknowledged, and {@code run} returns normally (exit status 0), without reading another batch. Messages
 * the engine sent ahead but that were not in that batch are not acknowledged; the engine keeps them for
 * the next sink. A store that fails with a {@link RetriableException} after the stop is not tried again:
 * {@code run} throws, acknowledging nothing of that batch.
 */
public interface SinkTask {

    /**
     * The last message id on the stream that is durably stored, from the sink's own store, or
     * {@link Frame#U64_MAX} when none is (or when the sink keeps no such point).
     *
     * @param streamName the stream the engine announces, e.g. {@code alert_log/transactions}
     * @throws RetriableException when the store cannot be asked now but may be later
     */
    long committedPoint(String streamName) throws Exception;

    /**
     * Stores the batch durably, together with whatever makes {@link #committedPoint} cover it. Returns only
     * when both are durable; the runner then acknowledges the batch. The list is the runner's, read-only,
     * and valid only during the call.
     *
     * @param batch one or more messages, each stream's in increasing id order, none at or below the
     *              stream's committed point
     * @throws RetriableException when a later attempt may succeed: the same batch comes again
     * @throws Exception          anything else: the runner stops and throws it
     */
    void store(List<SinkMessage> batch) throws Exception;

    /** Called once, when the runner has first connected to the engine: log that the sink is ready. */
    default void connected() {
    }

    /**
     * Called before every read of a batch, so at least once per batch wait while nothing arrives: for
     * periodic work such as logging figures. It delays the next batch, so it must be quick.
     */
    default void betweenBatches() {
    }
}
