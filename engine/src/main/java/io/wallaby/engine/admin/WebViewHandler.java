package io.wallaby.engine.admin;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * Serves the web view's files ({@link WebAssets}) on {@code GET}: the page at {@code /}, its scripts and
 * styles under {@code /assets/}. Every other request goes on to {@link AdminRequestHandler}, which answers
 * {@code /health}, {@code /metrics}, {@code /status}, a 405 or a 404: only the fixed paths of
 * {@link WebAssets} are looked up, so no path can lead anywhere else.
 *
 * <p>Every file is sent with a Content-Security-Policy that allows nothing but this origin: the page can
 * load no script, style or data from elsewhere, so it works offline and shows only what this engine says.
 */
@ChannelHandler.Sharable
public final class WebViewHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    /** uPlot sets element styles from its script, hence inline styles; everything else from this origin only. */
    static final String CONTENT_SECURITY_POLICY =
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

    private final WebAssets assets;

    public WebViewHandler(WebAssets assets) {
        this.assets = assets;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        WebAssets.Asset asset = assets.get(new QueryStringDecoder(request.uri()).path());
        if (asset == null || !HttpMethod.GET.equals(request.method())) {
            // Not a file of ours: the next handler answers it (SimpleChannelInboundHandler releases it after).
            ctx.fireChannelRead(request.retain());
            return;
        }
        HttpHeaders headers = new DefaultHttpHeaders()
                // Small files, and an engine upgrade must show at the next load.
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set("X-Content-Type-Options", "nosniff")
                .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
        HttpReplies.reply(ctx, HttpResponseStatus.OK, asset.contentType(), asset.bytes(), headers);
    }
}
