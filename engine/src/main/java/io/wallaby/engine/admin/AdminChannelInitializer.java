package io.wallaby.engine.admin;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/** Assembles the pipeline of a connection on the admin HTTP port. */
public final class AdminChannelInitializer extends ChannelInitializer<SocketChannel> {

    /** Admin requests are GETs without a body: anything bigger is not one of ours. */
    private static final int MAX_REQUEST_BYTES = 8192;

    private final AdminRequestHandler requests;

    public AdminChannelInitializer(AdminRequestHandler requests) {
        this.requests = requests;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        // HTTP/1.1 bytes to request parts and responses back to bytes.
        pipeline.addLast(new HttpServerCodec());
        // The parts of a request gathered into one FullHttpRequest.
        pipeline.addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES));
        // And the answer: /health, /metrics or /status.
        pipeline.addLast(requests);
    }
}
