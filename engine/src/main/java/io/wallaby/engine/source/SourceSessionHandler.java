package io.wallaby.engine.source;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.wallaby.engine.guard.Limit;
import io.wallaby.engine.guard.LimitHits;
import io.wallaby.engine.session.HandshakeCompleted;
import io.wallaby.engine.session.Sessions;
import io.wallaby.engine.stream.EngineCounters;
import io.wallaby.engine.stream.OutputBudget;
import io.wallaby.engine.stream.Placement;
import io.wallaby.engine.stream.SinkIds;
import io.wallaby.engine.stream.SourceStream;
import io.wallaby.engine.stream.StreamRegistry;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.Points;
import io.wallaby.protocol.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Session state of one source connection, after the handshake: credits, the streams it has opened,
 * duplicates, EOS, and the ACK frames going back. Accepted messages go on to the application step
 * as {@link AcceptedMessage}. All fields are touched on the channel's event loop only; other threads
 * reach it through {@link #acknowledged}, which hops onto that loop.
 */
public final class SourceSessionHandler extends SimpleChannelInboundHandler<Frame> implements SourceStream.Owner {

    private static final Logger log = LoggerFactory.getLogger(SourceSessionHandler.class);

    private final StreamRegistry registry;
    private final EngineCounters counters;
    private final long maxCredits;
    private final long refillLevel;
    private final int maxStreams;
    /** False once the engine drains: what sources sent is finished, nothing new is asked for. */
    private final BooleanSupplier acceptsWork;
    private final LimitHits limitHits;
    private final Placement placement;
    private final Map<Long, SourceStream> attached = new HashMap<>();
    /**
     * Streams this connection was told live elsewhere: what the connector sent on them before it heard is
     * dropped, not refused (the next engine gets it again).
     */
    private final Set<Long> redirected = new HashSet<>();
    private final Set<SourceStream> toAcknowledge = new LinkedHashSet<>();
    /** Streams whose point moved, added by any thread; taken onto the event loop by {@link #takeMovedStreams}. */
    private final Set<SourceStream> movedStreams = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean hopScheduled = new AtomicBoolean();
    private ChannelHandlerContext ctx;
    private String connector = "?";
    private volatile String remote = "?";
    private long remainingCredits;
    private long creditsToGrant;
    private boolean ackScheduled;
    private boolean waitingForRoom;

    public SourceSessionHandler(StreamRegistry registry, EngineCounters counters, long maxCredits, long refillLevel,
                                int maxStreams, BooleanSupplier acceptsWork, LimitHits limitHits, Placement placement) {
        this.registry = registry;
        this.counters = counters;
        this.maxCredits = maxCredits;
        this.refillLevel = refillLevel;
        this.maxStreams = maxStreams;
        this.acceptsWork = acceptsWork;
        this.limitHits = limitHits;
        this.placement = placement;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof HandshakeCompleted handshake) {
            this.ctx = ctx;
            this.connector = handshake.connector();
            this.remainingCredits = maxCredits;
            this.remote = String.valueOf(ctx.channel().remoteAddress());
            log.info("Source connector {} connected from {}", connector, ctx.channel().remoteAddress());
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        if (Sessions.isEnding(ctx.channel())) {
            return;
        }
        if (remainingCredits == 0) {
            throw new ProtocolException("sent a frame with no credit left: wait for an ACK granting credits");
        }
        remainingCredits--;
        switch (frame.type()) {
            case NOTIFY -> notifyStream((Frame.Notify) frame);
            case MESSAGE -> {
                if (message(ctx, (Frame.Message) frame)) {
                    return; // credits are topped up once the lane has processed it: see processed()
                }
            }
            case EOS -> endOfStream((Frame.Eos) frame);
            case ERROR -> {
                log.warn("Source connector {} ended the session: {}", connector, ((Frame.Error) frame).reason());
                Sessions.markEnding(ctx.channel());
                ctx.close();
                return;
            }
            case HELLO -> throw new ProtocolException("HELLO was already received: a session says HELLO once");
            case OK, NOTIFY_ACK, ACK, RESTART ->
                    throw new ProtocolException(frame.type() + " is not sent by a source connector");
        }
        refillCredits();
    }

    private void notifyStream(Frame.Notify notify) {
        // Refused with NOTIFY_ACK 0 rather than ERROR, so the streams this connection already holds keep flowing.
        if (!attached.containsKey(notify.streamId()) && attached.size() >= maxStreams) {
            limitHits.hit(ctx.channel(), Limit.STREAMS_PER_CONNECTION, "stream " + notify.streamName()
                    + " refused: this connection holds " + attached.size() + " streams already");
            ctx.writeAndFlush(new Frame.NotifyAck(false, notify.streamId(), Points.NONE));
            return;
        }
        String elsewhere = placement.elsewhere(notify.streamId());
        if (elsewhere != null) {
            sendElsewhere(notify.streamId(), notify.streamName(), elsewhere);
            return;
        }
        SourceStream stream = registry.source(notify.streamId(), notify.streamName());
        if (!stream.tryAttach(this)) {
            log.info("Source connector {} asked for stream {}, which is open on another connection", connector,
                    notify.streamName());
            ctx.writeAndFlush(new Frame.NotifyAck(false, notify.streamId(), Points.NONE));
            return;
        }
        attached.put(notify.streamId(), stream);
        // Checked again once attached: a partition revoked since the first look either finds the stream
        // attached (and redirects it) or is seen here, never neither.
        elsewhere = placement.elsewhere(notify.streamId());
        if (elsewhere != null) {
            letGo(stream, elsewhere);
            return;
        }
        redirected.remove(notify.streamId());
        long acknowledged = stream.acknowledged();
        log.info("Source connector {} opened stream {} (resuming after {})", connector, stream,
                Points.show(acknowledged));
        ctx.writeAndFlush(new Frame.NotifyAck(true, notify.streamId(), acknowledged));
    }

    /**
     * A stream redirected to another engine (docs/PROTOCOL.md, "Clusters"): RESTART with where it lives, then
     * NOTIFY_ACK 0 for it. The connection stays open for its other streams.
     */
    private void sendElsewhere(long streamId, String streamName, String address) {
        redirected.add(streamId);
        counters.countRedirect();
        log.info("Source connector {}: stream {} is served {}", connector, streamName,
                address.isEmpty() ? "by no engine right now; it will ask again" : "by " + address + "; redirected");
        ctx.write(new Frame.Restart(address));
        ctx.writeAndFlush(new Frame.NotifyAck(false, streamId, Points.NONE));
    }

    @Override
    public Future<?> redirect(SourceStream stream, String address) {
        if (ctx == null || ctx.executor().isShuttingDown()) {
            return CompletableFuture.completedFuture(null);
        }
        return ctx.executor().submit(() -> {
            if (attached.get(stream.id()) == stream && ctx.channel().isActive()) {
                letGo(stream, address);
            }
        });
    }

    /** Detaches a stream this connection holds and tells the connector where it lives now. On the event loop. */
    private void letGo(SourceStream stream, String address) {
        attached.remove(stream.id());
        stream.detach(this);
        sendElsewhere(stream.id(), stream.name(), address);
    }

    /** True when the message goes on to the application; false for a duplicate or a redirected stream. */
    private boolean message(ChannelHandlerContext ctx, Frame.Message message) {
        if (isRedirected(message.streamId())) {
            return false;
        }
        SourceStream stream = openStream(message.streamId(), "MESSAGE");
        // Above it, the sink ids of its outputs (SinkIds) would not fit in 64 bits.
        if (Long.compareUnsigned(message.messageId(), SinkIds.MAX_SOURCE_ID) > 0) {
            throw new ProtocolException("message id " + Long.toUnsignedString(message.messageId())
                    + " on stream " + stream + " is above " + SinkIds.MAX_SOURCE_ID + " (2^48-2), the largest this engine "
                    + "accepts: restart the stream's ids or split it");
        }
        if (!stream.advanceTo(message.messageId())) {
            counters.countDuplicate();
            log.debug("Dropped message {} on stream {}: not above the last id seen", message.messageId(), stream);
            return false;
        }
        ctx.fireChannelRead(new AcceptedMessage(stream, message));
        return true;
    }

    private void endOfStream(Frame.Eos eos) {
        if (isRedirected(eos.streamId())) {
            return;
        }
        SourceStream stream = openStream(eos.streamId(), "EOS");
        log.info("Source connector {} ended stream {}", connector, stream);
        stream.endRequested();
        ctx.fireChannelRead(new StreamEnded(stream, eos));
    }

    /** A frame the connector sent before it heard that the stream lives elsewhere: dropped. */
    private boolean isRedirected(long streamId) {
        if (!attached.containsKey(streamId) && redirected.contains(streamId)) {
            counters.countRedirectedDrop();
            return true;
        }
        return false;
    }

    private SourceStream openStream(long streamId, String what) {
        SourceStream stream = attached.get(streamId);
        if (stream == null || !stream.acceptsFrom(this)) {
            throw new ProtocolException(what + " on stream " + Long.toUnsignedString(streamId)
                    + ", which is not open on this connection: send NOTIFY and wait for NOTIFY_ACK first");
        }
        return stream;
    }

    /**
     * The lane has processed messages this connection delivered: top the credits up if due. Any thread.
     * Credits follow processing, not arrival, so that what waits in a lane's queue is bounded by the credits
     * and the output budget is looked at after the outputs are in it.
     */
    public void processed() {
        if (ctx.executor().isShuttingDown()) {
            return; // the engine is stopping: no more credits
        }
        if (ctx.executor().inEventLoop()) {
            refillCredits();
        } else {
            ctx.executor().execute(this::refillCredits);
        }
    }

    /** Tops the connector's credit back up once it is at the refill level, unless sinks lag behind. */
    private void refillCredits() {
        if (remainingCredits > refillLevel || !ctx.channel().isActive()) {
            return;
        }
        if (!acceptsWork.getAsBoolean()) {
            return; // draining: what sources already sent is finished, nothing new is asked for
        }
        OutputBudget budget = registry.budget();
        if (budget.isFull()) {
            if (!waitingForRoom) {
                waitingForRoom = true;
                log.debug("Holding credits of {}: {} outputs wait for sinks", connector, budget.pending());
                budget.awaitRoom(() -> ctx.executor().execute(() -> {
                    waitingForRoom = false;
                    refillCredits();
                }));
            }
            return;
        }
        creditsToGrant += maxCredits - remainingCredits;
        remainingCredits = maxCredits;
        scheduleAck();
    }

    @Override
    public void acknowledged(SourceStream stream) {
        if (ctx.executor().isShuttingDown()) {
            return; // the engine is stopping: nobody is left to tell
        }
        // Lanes call this for most messages (one with no outputs is acknowledged as it is processed): gather
        // the streams and hop onto the event loop once per batch, not once per message.
        movedStreams.add(stream);
        if (hopScheduled.compareAndSet(false, true)) {
            ctx.executor().execute(this::takeMovedStreams);
        }
    }

    private void takeMovedStreams() {
        hopScheduled.set(false); // before taking: a stream added after this schedules another hop
        for (SourceStream stream : movedStreams) {
            movedStreams.remove(stream);
            toAcknowledge.add(stream);
        }
        scheduleAck();
    }

    /** One ACK per event-loop turn carries every credit and point gathered during that turn. */
    private void scheduleAck() {
        if (!ackScheduled) {
            ackScheduled = true;
            ctx.executor().execute(this::sendAck);
        }
    }

    private void sendAck() {
        ackScheduled = false;
        if ((creditsToGrant == 0 && toAcknowledge.isEmpty()) || !ctx.channel().isActive()) {
            return;
        }
        List<Frame.StreamPoint> points = new ArrayList<>(toAcknowledge.size());
        for (SourceStream stream : toAcknowledge) {
            points.add(new Frame.StreamPoint(stream.id(), stream.acknowledged()));
        }
        toAcknowledge.clear();
        ctx.writeAndFlush(new Frame.Ack(creditsToGrant, points));
        creditsToGrant = 0;
    }

    @Override
    public String toString() {
        return connector + "@" + remote;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        attached.values().forEach(stream -> stream.detach(this));
        if (this.ctx != null) {
            log.info("Source connector {} disconnected; its {} stream(s) wait for a new connection", connector,
                    attached.size());
        }
        attached.clear();
        super.channelInactive(ctx);
    }
}
