package io.wallaby.engine;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.wallaby.api.Application;
import io.wallaby.api.Pipeline;
import io.wallaby.api.Settings;
import io.wallaby.engine.admin.AdminChannelInitializer;
import io.wallaby.engine.admin.AdminRequestHandler;
import io.wallaby.engine.admin.EngineMetrics;
import io.wallaby.engine.admin.SourceAdmins;
import io.wallaby.engine.admin.StatusReport;
import io.wallaby.engine.admin.StreamProgress;
import io.wallaby.engine.admin.ThroughputRates;
import io.wallaby.engine.admin.WebAssets;
import io.wallaby.engine.admin.WebViewHandler;
import io.wallaby.engine.cluster.ClusterMembership;
import io.wallaby.engine.cluster.KafkaCheckpointStore;
import io.wallaby.engine.cluster.MemberAddress;
import io.wallaby.engine.cluster.StreamHandover;
import io.wallaby.engine.connection.ConnectorChannelInitializer;
import io.wallaby.engine.connection.Connectors;
import io.wallaby.engine.connection.ErrorReplyHandler;
import io.wallaby.engine.guard.LimitHits;
import io.wallaby.engine.sink.SinkChannelInitializer;
import io.wallaby.engine.source.Credits;
import io.wallaby.engine.process.DeadLetterFile;
import io.wallaby.engine.process.StreamProcessors;
import io.wallaby.engine.state.CheckpointFigures;
import io.wallaby.engine.state.CheckpointStore;
import io.wallaby.engine.state.Checkpointer;
import io.wallaby.engine.state.RocksDbCheckpointStore;
import io.wallaby.engine.source.SourceChannelInitializer;
import io.wallaby.engine.stream.EngineCounters;
import io.wallaby.engine.stream.OutputBudget;
import io.wallaby.engine.stream.Placement;
import io.wallaby.engine.stream.StreamRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine: a source port and a sink port sharing one set of event loops and one {@link StreamRegistry},
 * and, when configured, an admin HTTP port (health, metrics, status, the web view) on an event loop of its
 * own, so that whoever watches the engine never delays its connectors. Usable in-process: {@code start()}
 * on ports 0, read {@link #sourcePort()} and {@link #sinkPort()}, {@link #drain} and {@code close()} when done.
 */
public final class EngineServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EngineServer.class);
    private static final long DRAIN_POLL_MILLIS = 20;
    /** What the rates in /status average over. */
    static final Duration DEFAULT_RATE_WINDOW = Duration.ofSeconds(10);
    /** Engines of this process on ephemeral ports, each a member of a cluster under its own name. */
    private static final AtomicInteger EPHEMERAL_MEMBERS = new AtomicInteger();

    private final EngineConfig config;
    private final String applicationName;
    private final StreamRegistry registry;
    private final EngineCounters counters = new EngineCounters();
    private final LimitHits limitHits = new LimitHits();
    private final ErrorReplyHandler errorReplies = new ErrorReplyHandler();
    private final EngineMetrics metrics;
    private final ThroughputRates rates;
    private final StreamProgress progress;
    private final SourceAdmins sourceAdmins;
    private final Lifecycle lifecycle = new Lifecycle();
    private final Connectors connectors = new Connectors();
    private final DeadLetterFile deadLetters;
    private final EventLoopGroup acceptors = new NioEventLoopGroup(1);
    private final EventLoopGroup workers = new NioEventLoopGroup();
    /** The admin port's one thread: its requests and the sampling of rates and progress; null without the port. */
    private volatile EventLoopGroup adminLoop;
    private Channel sourceChannel;
    private Channel sinkChannel;
    private Channel adminChannel;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Made by {@link #start()}, which opens the checkpoint store of a stateful application. */
    private StreamProcessors processors;
    /** This engine's membership of a cluster; null for a standalone engine. */
    private final ClusterMembership membership;

    /**
     * @throws Settings.SettingsException when the application rejects its settings, or a setting was given
     *                                    that it does not read
     */
    public EngineServer(EngineConfig config, Application application) {
        this(config, application, DEFAULT_RATE_WINDOW);
    }

    /** With the window of the /status rates chosen: tests take a short one, so as not to wait ten seconds. */
    EngineServer(EngineConfig config, Application application, Duration rateWindow) {
        this.config = config;
        this.applicationName = application.getClass().getName();
        this.registry = new StreamRegistry(pipeline(application, config), new OutputBudget(config.maxPending()));
        this.deadLetters = new DeadLetterFile(config.deadLetterFile());
        this.metrics = new EngineMetrics(counters, registry, deadLetters, limitHits, errorReplies);
        this.rates = new ThroughputRates(counters, registry, rateWindow);
        this.progress = new StreamProgress(registry);
        this.sourceAdmins = new SourceAdmins(config.sourceAdmins());
        this.membership = config.cluster() == null ? null : new ClusterMembership(config.cluster(), registry);
        metrics.cluster(membership);
    }

    private static Pipeline pipeline(Application application, EngineConfig config) {
        Settings settings = Settings.of(config.appConfig());
        Pipeline pipeline = application.pipeline(settings);
        if (!settings.unread().isEmpty()) {
            throw new Settings.SettingsException("--app-config " + String.join(", ", settings.unread())
                    + ": not a setting of " + application.getClass().getSimpleName() + " (check the spelling; "
                    + "the application's documentation lists its settings)");
        }
        return pipeline;
    }

    /**
     * Restores a stateful application's checkpoints, then binds every port; on failure nothing is left open.
     * In a cluster, it joins the group last, and restores a partition's streams when the group assigns it.
     */
    public EngineServer start() throws StartFailedException, InterruptedException {
        try {
            processors = new StreamProcessors(registry, counters, deadLetters, config.lanes(), checkpointer());
            lockDeadLetters();
            if (membership == null) {
                restore();
            }
            // The zero point of every rate, before any traffic: a burst ahead of the first scheduled sample counts.
            rates.sample();
            progress.sample();
            ConnectorChannelInitializer.Front front = new ConnectorChannelInitializer.Front(sslContext(),
                    config.maxFrameLength(), config.cookie(), config.limits(), limitHits, errorReplies, connectors);
            SourceChannelInitializer sources = new SourceChannelInitializer(front,
                    new Credits(config.maxCredits(), config.refillLevel()), registry, counters, processors,
                    lifecycle::acceptsWork, membership == null ? Placement.HERE : membership);
            SinkChannelInitializer sinks = new SinkChannelInitializer(front, registry);
            metrics.port(sources);
            metrics.port(sinks);
            sourceChannel = bind(acceptors, workers, config.sourcePort(), "--source-port", sources);
            sinkChannel = bind(acceptors, workers, config.sinkPort(), "--sink-port", sinks);
            if (config.adminPort() != EngineConfig.ADMIN_OFF) {
                openAdminPort();
            }
            joinCluster();
            lifecycle.moveTo(Lifecycle.Phase.ACCEPTING);
            return this;
        } catch (StartFailedException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * The admin port, on its own event loop. Only /status and the web view show the rates, progress and the
     * sources' admin figures, so without an admin port nothing samples or reads them.
     */
    private void openAdminPort() throws StartFailedException, InterruptedException {
        WebAssets assets;
        try {
            assets = WebAssets.fromClasspath();
        } catch (WebAssets.MissingAssetException e) {
            throw new StartFailedException(e.getMessage(), e);
        }
        adminLoop = new NioEventLoopGroup(1, new DefaultThreadFactory("wallaby-admin"));
        long interval = rates.interval().toNanos();
        adminLoop.scheduleAtFixedRate(() -> {
            rates.sample();
            progress.sample();
        }, interval, interval, TimeUnit.NANOSECONDS);
        sourceAdmins.start();
        StatusReport.Inputs status = new StatusReport.Inputs(applicationName, lifecycle, connectors, registry,
                counters, rates, progress, deadLetters, processors, membership, sourceAdmins);
        adminChannel = bind(adminLoop, adminLoop, config.adminPort(), "--admin-port", new AdminChannelInitializer(
                new WebViewHandler(assets), new AdminRequestHandler(status, metrics)));
    }

    /** Takes the dead-letter file for this engine: another running engine on it is refused, not shared. */
    private void lockDeadLetters() throws StartFailedException {
        try {
            deadLetters.lock();
        } catch (IOException e) {
            throw new StartFailedException(e.getMessage(), e);
        }
    }

    /** Joins the cluster once the ports are bound: the group learns where connectors reach this engine. */
    private void joinCluster() throws StartFailedException, InterruptedException {
        if (membership == null) {
            return;
        }
        try {
            Checkpointer checkpointer = processors.checkpointer();
            membership.start(new MemberAddress(config.cluster().advertisedHost(), sourcePort(), sinkPort(),
                    adminChannel == null ? -1 : adminPort()), new StreamHandover(registry, processors,
                    checkpointer == null ? null : (KafkaCheckpointStore) checkpointer.store(),
                    config.cluster().partitions()));
        } catch (ClusterMembership.ClusterException e) {
            throw new StartFailedException(e.getMessage(), e);
        }
    }

    /**
     * The checkpoints of a stateful application: in {@code --state-dir}, or in the cluster's Kafka topic, where
     * any engine can restore any stream; null for a stateless application.
     */
    private Checkpointer checkpointer() throws StartFailedException, InterruptedException {
        if (!registry.pipeline().stateful()) {
            return null;
        }
        CheckpointFigures figures = new CheckpointFigures(config.checkpointInterval());
        metrics.checkpoints(figures);
        try {
            CheckpointStore store = membership == null ? RocksDbCheckpointStore.open(config.stateDir())
                    : KafkaCheckpointStore.open(config.cluster(), memberName(), membership);
            return new Checkpointer(store, figures);
        } catch (RocksDbCheckpointStore.StateDirectoryException | ClusterMembership.ClusterException e) {
            throw new StartFailedException(e.getMessage(), e);
        }
    }

    /**
     * This engine among the cluster's, for its checkpoint transactions: its advertised {@code host:port}, the
     * same across restarts (a restarted engine then aborts at once what its predecessor left open), or, on an
     * ephemeral port, its process id and its rank among the engines of this process.
     */
    private String memberName() {
        String host = config.cluster().advertisedHost();
        return config.sourcePort() != 0 ? host + ":" + config.sourcePort()
                : host + ":pid" + ProcessHandle.current().pid() + "." + EPHEMERAL_MEMBERS.incrementAndGet();
    }

    private void restore() throws StartFailedException {
        try {
            processors.restore();
        } catch (IOException | RuntimeException e) {
            throw new StartFailedException("cannot restore the checkpoints in " + config.stateDir() + ": "
                    + e.getMessage(), e);
        }
    }

    private SslContext sslContext() throws StartFailedException {
        if (config.tls() == null) {
            return null;
        }
        try {
            return SslContextBuilder.forServer(config.tls().certificate().toFile(), config.tls().key().toFile())
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new StartFailedException("cannot use --tls-cert " + config.tls().certificate() + " and --tls-key "
                    + config.tls().key() + ": " + e.getMessage(), e);
        }
    }

    private Channel bind(EventLoopGroup acceptor, EventLoopGroup loops, int port, String option,
                         ChannelHandler initializer) throws StartFailedException, InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, loops)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer);
        try {
            return bootstrap.bind(config.host(), port).sync().channel();
        } catch (Exception e) {
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            if (e instanceof BindException && String.valueOf(e.getMessage()).contains("in use")) {
                throw new StartFailedException("port " + port + " on " + config.host()
                        + " is in use: stop the other process or choose another port with " + option, e);
            }
            throw new StartFailedException("cannot listen on " + config.host() + ":" + port + " (" + option
                    + "): " + e.getMessage(), e);
        }
    }

    /**
     * The first half of a graceful stop: no new source connections, no new credits for the sources
     * connected, and up to {@code timeout} for the sinks to commit every output the engine holds. The
     * sink port stays open meanwhile, so that a sink that reconnects can still take its streams.
     * Returns true when nothing is left pending; {@link #close()} does the rest.
     */
    public boolean drain(Duration timeout) throws InterruptedException {
        lifecycle.moveTo(Lifecycle.Phase.DRAINING);
        if (membership != null) {
            // Leave first: the other engines take this one's streams at once, with what it has not acknowledged.
            membership.leave(timeout);
        }
        if (sourceChannel != null) {
            sourceChannel.close().sync();
        }
        long pending = registry.budget().pending();
        log.info("Draining: {} output(s) wait for sinks to commit; giving them up to {} ms", pending,
                timeout.toMillis());
        long deadline = System.nanoTime() + timeout.toNanos();
        processors.checkpointAll();
        while ((pending > 0 || !processors.allCheckpointed()) && System.nanoTime() < deadline) {
            Thread.sleep(DRAIN_POLL_MILLIS);
            pending = registry.budget().pending();
        }
        if (!processors.allCheckpointed()) {
            log.warn("Drain timed out after {} ms before every stream's state was checkpointed: the next start "
                    + "replays from the last checkpoint", timeout.toMillis());
        }
        if (pending > 0) {
            log.warn("Drain timed out after {} ms: {} output(s) still pending, not committed by any sink",
                    timeout.toMillis(), pending);
            return false;
        }
        log.info("Drained: every output is committed");
        return true;
    }

    public int sourcePort() {
        return ((InetSocketAddress) sourceChannel.localAddress()).getPort();
    }

    public int sinkPort() {
        return ((InetSocketAddress) sinkChannel.localAddress()).getPort();
    }

    /** The admin HTTP port; only when {@link EngineConfig#adminPort()} is set. */
    public int adminPort() {
        return ((InetSocketAddress) adminChannel.localAddress()).getPort();
    }

    public EngineConfig config() {
        return config;
    }

    public StreamRegistry registry() {
        return registry;
    }

    /** The lanes and per-stream processors; after {@link #start()}. */
    public StreamProcessors processors() {
        return processors;
    }

    /** This engine's membership of its cluster; null for a standalone engine. */
    public ClusterMembership membership() {
        return membership;
    }

    public EngineCounters counters() {
        return counters;
    }

    public EngineMetrics metrics() {
        return metrics;
    }

    /** Where messages the application cannot handle go. */
    public DeadLetterFile deadLetters() {
        return deadLetters;
    }

    public Lifecycle lifecycle() {
        return lifecycle;
    }

    /** Blocks until {@link #close()} has been called (from another thread, a shutdown hook). */
    public void awaitClosed() throws InterruptedException {
        acceptors.terminationFuture().sync();
        workers.terminationFuture().sync();
        EventLoopGroup admin = adminLoop;
        if (admin != null) {
            admin.terminationFuture().sync();
        }
    }

    /** Closes every port and every connection, then stops the event loops. Idempotent. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        lifecycle.moveTo(Lifecycle.Phase.STOPPED);
        if (membership != null) {
            membership.close();
        }
        for (Channel channel : new Channel[] {sourceChannel, sinkChannel, adminChannel}) {
            if (channel != null) {
                channel.close().syncUninterruptibly();
            }
        }
        // Lanes before event loops: a lane's last tasks still hop onto the loops.
        if (processors != null) {
            processors.close();
        }
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        EventLoopGroup admin = adminLoop;
        if (admin != null) {
            admin.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        sourceAdmins.close();
        metrics.close();
        try {
            deadLetters.close();
        } catch (java.io.IOException e) {
            log.warn("closing the dead-letter file {}: {}", deadLetters, e.getMessage());
        }
    }
}
