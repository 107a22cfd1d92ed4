package io.wallaby.connector;

import io.wallaby.protocol.Points;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link SinkTask}: the loop every sink connector used to write itself. It connects a
 * {@link SinkConnector} (the protocol client, which it keeps to itself) with the task's committed points,
 * reads batches, has the task store them, retrying {@link RetriableException}s with backoff, acknowledges
 * each stored batch, and stops after the batch in hand when {@link #stop()} is called. The task's javadoc
 * is the contract. Given several engines ({@link ConnectorSettings#engines()}, {@code --engine-host a,b,c}),
 * the runner dials every one (each again with backoff whenever it is down or not up yet, so an engine of the
 * list started later is picked up) and feeds them all into the one task; with an {@link EngineDiscovery}
 * ({@link #discoverWith}) it also dials each engine found while it runs. A command uses it in a few lines:
 * <pre>{@code
 * private final SinkRunner runner = new SinkRunner();     // a field: stop() may come before run()
 *
 * public Integer call() throws Exception {
 *     ShutdownSignal.onTerminate(runner::stop, Duration.ofSeconds(30));
 *     try (MyStore store = MyStore.open(...)) {
 *         runner.run(engine.settings("my-sink"), new MyTask(store));   // returns after a stop
 *     }
 *     return 0;
 * }
 * }</pre>
 *
 * <p>One {@code run} per runner. {@link #stop()} may be called from any thread, before or during {@code run}.
 */
public final class SinkRunner {

    /** Most messages in one batch, unless told otherwise. */
    public static final int DEFAULT_BATCH_SIZE = 500;
    /** Longest wait to fill a batch, unless told otherwise: a batch is cut short when it passes. */
    public static final Duration DEFAULT_BATCH_WAIT = Duration.ofMillis(20);
    /** Batches the engine may send ahead: the next ones arrive while one is stored. */
    static final int CREDIT_WINDOW_BATCHES = 5;

    private static final Logger log = LoggerFactory.getLogger(SinkRunner.class);

    private volatile boolean stopping;
    /** The connector while {@code connect} waits for a first engine, so that a stop can end the wait; guarded by this. */
    private SinkConnector connecting;
    private EngineDiscovery discovery;
    private boolean dialGivenEngines = true;

    /**
     * Has {@code run} also dial every engine {@code discovery} finds while it runs (e.g. the members of a
     * cluster's consumer group: {@code --kafka}/{@code --cluster} of the wallaby-sink connectors), each once, as
     * it dials the engines of its settings. The runner starts the discovery in {@code run} and closes it when
     * {@code run} returns. Call before {@code run}.
     *
     * @param dialGivenEngines whether the engines of the settings are dialled too; false when they are only
     *                         the command line's default and the discovery is to find them all
     */
    public SinkRunner discoverWith(EngineDiscovery discovery, boolean dialGivenEngines) {
        this.discovery = discovery;
        this.dialGivenEngines = dialGivenEngines;
        return this;
    }

    /** Runs with {@link #DEFAULT_BATCH_SIZE} and {@link #DEFAULT_BATCH_WAIT}; see the other {@code run}. */
    public void run(ConnectorSettings settings, SinkTask task) throws Exception {
        run(settings, task, DEFAULT_BATCH_SIZE, DEFAULT_BATCH_WAIT);
    }

    /**
     * Connects to the engine, or to every engine of a cluster (retrying with backoff until one is up; the
     * others keep being dialled), then stores and acknowledges batches until {@link #stop()}; returns after
     * the batch in hand is acknowledged.
     *
     * @param batchSize most messages passed to one {@link SinkTask#store}; a large batch only forms while
     *                  messages are waiting, as a batch is cut short when {@code batchWait} passes
     * @param batchWait longest wait to fill a batch
     * @throws ConnectorException when the engine refuses the connector (wrong cookie or version), or the
     *                            task failed to say a stream's committed point
     * @throws Exception          what the task's {@code store} threw, when it was not a
     *                            {@link RetriableException}, or an {@link IllegalStateException} when a
     *                            retriable failure came after a stop
     */
    public void run(ConnectorSettings settings, SinkTask task, int batchSize, Duration batchWait) throws Exception {
        if (batchSize < 1 || batchWait.isNegative()) {
            throw new IllegalArgumentException("batchSize must be at least 1 and batchWait not negative, were "
                    + batchSize + " and " + batchWait);
        }
        // The same window as every sink had before the runner: 10 000, or five batches when that is more.
        int creditWindow = (int) Math.max(SinkConnector.DEFAULT_CREDIT_WINDOW,
                Math.min(Integer.MAX_VALUE, (long) CREDIT_WINDOW_BATCHES * batchSize));
        List<EngineAddress> engines = discovery == null || dialGivenEngines ? settings.engines() : List.of();
        try (SinkConnector connector = new SinkConnector(settings, creditWindow, engines);
             EngineDiscovery finder = discovery) {
            if (finder != null) {
                finder.start(connector::addEngine);
            }
            synchronized (this) {
                if (stopping) {
                    return;
                }
                connecting = connector;
            }
            try {
                connector.connect(stream -> retrying("read the committed point of " + stream,
                        () -> task.committedPoint(stream)));
            } catch (ConnectorException e) {
                if (stopping) {
                    log.info("stopped before any engine could be reached");
                    return;
                }
                throw e;
            } finally {
                synchronized (this) {
                    connecting = null;
                }
            }
            task.connected();
            while (!stopping) {
                task.betweenBatches();
                List<SinkMessage> batch = inIdOrder(connector.readBatch(batchSize, batchWait));
                if (batch.isEmpty()) {
                    continue;
                }
                retrying("write a batch of " + batch.size(), () -> {
                    task.store(batch);
                    return null;
                });
                connector.commitMessages(batch); // only now: the engine may forget what it acknowledges
            }
        }
    }

    /** Makes {@link #run} return after the batch in hand is stored and acknowledged; callable from any thread. */
    public void stop() {
        synchronized (this) {
            stopping = true;
            if (connecting != null) {
                connecting.stopConnecting(); // no engine yet (none up, or none found): stop waiting for one
            }
        }
    }

    private interface Attempt<T> {
        T run() throws Exception;
    }

    /**
     * Runs {@code attempt} until it succeeds, pausing with backoff after each {@link RetriableException}: a
     * sink must not drop a batch. After a stop it gives up instead, so that a stop never waits on a store
     * that is down; nothing is acknowledged then, and the engine keeps the batch for the next sink.
     */
    private <T> T retrying(String what, Attempt<T> attempt) throws Exception {
        Backoff backoff = Backoff.standard();
        while (true) {
            try {
                return attempt.run();
            } catch (RetriableException e) {
                if (stopping) {
                    throw new IllegalStateException("stopped while trying to " + what + ": " + e.getMessage(), e);
                }
                log.warn("could not {} ({}); retrying in {} ms", what, e.getMessage(), backoff.nextDelayMillis());
                backoff.pause();
            }
        }
    }

    /**
     * The batch with each stream's messages in strictly increasing id order, as {@link SinkTask} promises.
     * The connector skips what is committed, but not what it handed over earlier in the same batch: when
     * the engine session drops in the middle of {@code readBatch}, the connector reconnects and the engine
     * resends from the committed point within the same call, so a batch could hold 1, 2, 1, 2, 3; and around
     * a stream's move, the old and the new engine of a cluster may both send it, interleaved.
     */
    static List<SinkMessage> inIdOrder(List<SinkMessage> batch) {
        Map<Long, Long> last = new HashMap<>();
        List<SinkMessage> kept = new ArrayList<>(batch.size());
        for (SinkMessage m : batch) {
            Long previous = last.get(m.streamId());
            if (previous != null && !Points.isAfter(m.messageId(), previous)) {
                log.debug("skipping message {} on '{}': already in this batch", Long.toUnsignedString(m.messageId()),
                        m.streamName());
                continue;
            }
            last.put(m.streamId(), m.messageId());
            kept.add(m);
        }
        return Collections.unmodifiableList(kept);
    }
}
