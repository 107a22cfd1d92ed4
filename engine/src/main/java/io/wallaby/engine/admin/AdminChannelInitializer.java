package io.wallaby.engine.admin;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Assembles the pipeline of a connection on the admin HTTP port. The engine runs these connections on an
 * event loop of their own, apart from the connectors' loops, so that a page polling /status or a scrape
 * never waits behind messages, nor messages behind them.
 */
public final class AdminChannelInitializer extends ChannelInitializer<SocketChannel> {

    /** Admin requests are GETs without a body: anything bigger is not one of ours. */
    private static final int MAX_REQUEST_BYTES = 8192;

    private final WebViewHandler webView;
    private final AdminRequestHandler requests;

    public AdminChannelInitializer(WebViewHandler webView, AdminRequestHandler requests) {
        this.webView = webView;
        this.requests = requests;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        // HTTP/1.1 bytes to request parts and responses back to bytes.
        pipeline.addLast(new HttpServerCodec());
        // The parts of a request gathered into one FullHttpRequest.
        pipeline.addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES));
        // The web view's page, scripts and styles; anything else goes on.
        pipeline.addLast(webView);
        // And the answer: /health, /metrics, /status, or 404.
        pipeline.addLast(requests);
    }
}
