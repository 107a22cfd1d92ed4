package io.wallaby.engine;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.wallaby.api.Application;
import io.wallaby.engine.sink.SinkChannelInitializer;
import io.wallaby.engine.source.SourceChannelInitializer;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The engine: a source port and a sink port sharing one set of event loops and one
 * {@link StreamRegistry}. Usable in-process: {@code start()} on ports 0, read {@link #sourcePort()}
 * and {@link #sinkPort()}, {@code close()} when done.
 */
public final class EngineServer implements AutoCloseable {

    private final EngineConfig config;
    private final StreamRegistry registry;
    private final EngineCounters counters = new EngineCounters();
    private final EventLoopGroup acceptors = new NioEventLoopGroup(1);
    private final EventLoopGroup workers = new NioEventLoopGroup();
    private Channel sourceChannel;
    private Channel sinkChannel;

    public EngineServer(EngineConfig config, Application application) {
        this.config = config;
        this.registry = new StreamRegistry(application.pipeline(), new OutputBudget(config.maxPending()));
    }

    /** Binds both ports; on failure nothing is left open. */
    public EngineServer start() throws PortUnavailableException, InterruptedException {
        try {
            sourceChannel = bind(config.sourcePort(), "--source-port", new SourceChannelInitializer(config, registry,
                    counters));
            sinkChannel = bind(config.sinkPort(), "--sink-port", new SinkChannelInitializer(config, registry));
            return this;
        } catch (PortUnavailableException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private Channel bind(int port, String option, ChannelHandler initializer)
            throws PortUnavailableException, InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptors, workers)
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
                throw new PortUnavailableException("port " + port + " on " + config.host()
                        + " is in use: stop the other process or choose another port with " + option, e);
            }
            throw new PortUnavailableException("cannot listen on " + config.host() + ":" + port + " (" + option
                    + "): " + e.getMessage(), e);
        }
    }

    public int sourcePort() {
        return ((InetSocketAddress) sourceChannel.localAddress()).getPort();
    }

    public int sinkPort() {
        return ((InetSocketAddress) sinkChannel.localAddress()).getPort();
    }

    public EngineConfig config() {
        return config;
    }

    public StreamRegistry registry() {
        return registry;
    }

    public EngineCounters counters() {
        return counters;
    }

    /** Blocks until {@link #close()} has been called (from another thread, a shutdown hook). */
    public void awaitClosed() throws InterruptedException {
        acceptors.terminationFuture().sync();
        workers.terminationFuture().sync();
    }

    /** Closes both ports and every connection, then stops the event loops. Idempotent. */
    @Override
    public void close() {
        if (sourceChannel != null) {
            sourceChannel.close().syncUninterruptibly();
        }
        if (sinkChannel != null) {
            sinkChannel.close().syncUninterruptibly();
        }
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
