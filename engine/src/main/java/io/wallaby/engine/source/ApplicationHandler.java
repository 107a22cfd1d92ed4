package io.wallaby.engine.source;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.wallaby.engine.process.StreamProcessors;
import io.wallaby.engine.stream.SourceStream;
import io.wallaby.protocol.Frame;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The application step's door: hands each accepted message (and EOS) to its stream's processor, on the
 * stream's lane, so that the application runs off the event loop and different streams run in parallel.
 * What one read brings is handed over as one task per stream, in order, when the read completes: one
 * hand-over per batch, not per message.
 */
public final class ApplicationHandler extends ChannelInboundHandlerAdapter {

    private final StreamProcessors processors;
    /** Told, from a lane, when a batch has been processed: the session tops up credits. */
    private final Runnable processed;
    /** Work gathered during the current read, per stream, in arrival order. */
    private final Map<SourceStream, List<Frame>> gathered = new IdentityHashMap<>();

    public ApplicationHandler(StreamProcessors processors, Runnable processed) {
        this.processors = processors;
        this.processed = processed;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof AcceptedMessage accepted) {
            gather(accepted.stream(), accepted.message());
        } else if (msg instanceof StreamEnded ended) {
            gather(ended.stream(), ended.eos());
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void gather(SourceStream stream, Frame work) {
        gathered.computeIfAbsent(stream, s -> new ArrayList<>()).add(work);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        handOver();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        handOver();
        super.channelInactive(ctx);
    }

    private void handOver() {
        if (gathered.isEmpty()) {
            return;
        }
        for (Map.Entry<SourceStream, List<Frame>> entry : gathered.entrySet()) {
            processors.of(entry.getKey()).handOver(entry.getValue(), processed);
        }
        gathered.clear();
    }
}
