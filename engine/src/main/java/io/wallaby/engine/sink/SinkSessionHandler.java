package io.wallaby.engine.sink;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.wallaby.engine.session.HandshakeCompleted;
import io.wallaby.engine.session.Sessions;
import io.wallaby.engine.stream.OutputLog;
import io.wallaby.engine.stream.StreamRegistry;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Points;
import io.wallaby.protocol.ProtocolException;
import io.wallaby.protocol.netty.FrameBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Session state of one sink connection, after the handshake. It claims the output logs that no
 * other sink holds, NOTIFYs each, resumes after the point the sink answers, sends MESSAGE frames as
 * the sink's credits allow (never one without credit) and commits what the sink acknowledges.
 *
 * <p>A sink may send NOTIFY_ACK, ACK and ERROR. OK, NOTIFY, MESSAGE, RESTART, a second HELLO and EOS
 * are protocol errors: the engine alone decides when sink streams begin and end.
 *
 * <p>Fields are touched on the channel's event loop only; other threads reach it through
 * {@link #offer} and {@link #outputsAvailable}, which hop onto that loop.
 */
public final class SinkSessionHandler extends SimpleChannelInboundHandler<Frame> implements OutputLog.Reader {

    private static final Logger log = LoggerFactory.getLogger(SinkSessionHandler.class);
    private static final int BATCH = 256;

    /** Where delivery stands on one claimed log. */
    private static final class Cursor {
        final OutputLog log;
        boolean resumed;
        long lastSent = Points.NONE;

        Cursor(OutputLog log) {
            this.log = log;
        }
    }

    private final StreamRegistry registry;
    private final Map<Long, Cursor> cursors = new LinkedHashMap<>();
    private final Set<Long> declined = new HashSet<>();
    private final AtomicBoolean deliveryScheduled = new AtomicBoolean();
    private ChannelHandlerContext ctx;
    private String connector = "?";
    private volatile long credits; // written on the event loop only; volatile for /status
    private volatile String remote = "?";

    public SinkSessionHandler(StreamRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof HandshakeCompleted handshake) {
            this.ctx = ctx;
            this.connector = handshake.connector();
            this.remote = String.valueOf(ctx.channel().remoteAddress());
            log.info("Sink connector {} connected from {}", connector, ctx.channel().remoteAddress());
            registry.addReader(this);
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        if (Sessions.isEnding(ctx.channel())) {
            return;
        }
        switch (frame.type()) {
            case NOTIFY_ACK -> resume((Frame.NotifyAck) frame);
            case ACK -> grant((Frame.Ack) frame);
            case ERROR -> {
                log.warn("Sink connector {} ended the session: {}", connector, ((Frame.Error) frame).reason());
                Sessions.markEnding(ctx.channel());
                ctx.close();
            }
            case HELLO -> throw new ProtocolException("HELLO was already received: a session says HELLO once");
            case OK, NOTIFY, MESSAGE, RESTART, EOS ->
                    throw new ProtocolException(frame.type() + " is not sent by a sink connector");
        }
    }

    private void resume(Frame.NotifyAck answer) {
        Cursor cursor = cursors.get(answer.streamId());
        if (cursor == null) {
            throw new ProtocolException("NOTIFY_ACK for stream " + Long.toUnsignedString(answer.streamId())
                    + ", which the engine did not NOTIFY on this connection");
        }
        if (!answer.success()) {
            log.info("Sink connector {} declined stream {}", connector, cursor.log);
            cursors.remove(answer.streamId());
            declined.add(answer.streamId());
            cursor.log.release(this);
            registry.offerToAll(cursor.log);
            return;
        }
        cursor.log.commit(answer.pointOfReference());
        cursor.lastSent = cursor.log.committed();
        cursor.resumed = true;
        log.info("Sink connector {} takes stream {} after {}", connector, cursor.log, Points.show(cursor.lastSent));
        deliver();
    }

    private void grant(Frame.Ack ack) {
        credits += ack.credits();
        for (Frame.StreamPoint point : ack.points()) {
            Cursor cursor = cursors.get(point.streamId());
            if (cursor == null) {
                log.debug("Sink connector {} acknowledged stream {}, which it does not hold; ignored", connector,
                        Long.toUnsignedString(point.streamId()));
            } else {
                cursor.log.commit(point.pointOfReference());
            }
        }
        deliver();
    }

    /** Sends what the credits allow, a batch per stream in turn so that no stream starves the others. */
    private void deliver() {
        if (ctx == null || !ctx.channel().isActive()) {
            return;
        }
        boolean sent = false;
        boolean progress = true;
        while (progress && credits > 0 && ctx.channel().isWritable()) {
            progress = false;
            for (Cursor cursor : cursors.values()) {
                if (!cursor.resumed || credits == 0) {
                    continue;
                }
                List<OutputLog.Output> batch = cursor.log.after(cursor.lastSent, (int) Math.min(credits, BATCH));
                if (batch.isEmpty()) {
                    continue;
                }
                List<Frame> frames = new ArrayList<>(batch.size());
                for (OutputLog.Output output : batch) {
                    frames.add(new Frame.Message(cursor.log.streamId(), output.id(), output.eventTime(), null,
                            output.payload()));
                }
                // One write per batch: per-frame writes were most of the engine's cost of delivering to sinks.
                ctx.write(new FrameBatch(frames));
                cursor.lastSent = batch.get(batch.size() - 1).id();
                credits -= batch.size();
                progress = true;
            }
            sent |= progress;
        }
        if (sent) {
            ctx.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            deliver();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void offer(OutputLog log) {
        // An engine that is shutting down has no loop left to claim on, and no need to.
        if (!ctx.executor().isShuttingDown()) {
            ctx.executor().execute(() -> claim(log));
        }
    }

    private void claim(OutputLog offered) {
        if (!ctx.channel().isActive() || cursors.containsKey(offered.streamId())
                || declined.contains(offered.streamId()) || !offered.tryClaim(this)) {
            return;
        }
        cursors.put(offered.streamId(), new Cursor(offered));
        ctx.writeAndFlush(new Frame.Notify(offered.streamId(), offered.name(), offered.committed()));
    }

    @Override
    public void outputsAvailable(OutputLog log) {
        if (!ctx.executor().isShuttingDown() && deliveryScheduled.compareAndSet(false, true)) {
            ctx.executor().execute(() -> {
                deliveryScheduled.set(false);
                deliver();
            });
        }
    }

    @Override
    public void discarded(OutputLog gone) {
        if (!ctx.executor().isShuttingDown()) {
            ctx.executor().execute(() -> {
                Cursor cursor = cursors.get(gone.streamId());
                if (cursor != null && cursor.log == gone) {
                    cursors.remove(gone.streamId());
                    log.info("Sink connector {}: stream {} moved to another engine, which delivers it now",
                            connector, gone);
                }
            });
        }
    }

    @Override
    public long credits() {
        return credits;
    }

    @Override
    public String toString() {
        return connector + "@" + remote;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (this.ctx != null) {
            List<OutputLog> held = new ArrayList<>();
            cursors.values().forEach(cursor -> held.add(cursor.log));
            cursors.clear();
            registry.removeReader(this, held);
            log.info("Sink connector {} disconnected; {} stream(s) wait for another sink", connector, held.size());
        }
        super.channelInactive(ctx);
    }
}
