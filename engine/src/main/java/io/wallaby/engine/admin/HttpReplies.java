package io.wallaby.engine.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/**
 * How every admin answer is sent: whole, with its length, and the connection closed after it. The admin
 * port serves occasional requests (a scrape, a page polling once a second), not a stream, so one request per
 * connection keeps its handlers free of keep-alive bookkeeping.
 */
final class HttpReplies {

    private HttpReplies() {
    }

    static void reply(ChannelHandlerContext ctx, HttpResponseStatus code, String contentType, String body) {
        reply(ctx, code, contentType, body.getBytes(StandardCharsets.UTF_8), null);
    }

    /** @param extraHeaders headers beyond type, length and connection; may be null */
    static void reply(ChannelHandlerContext ctx, HttpResponseStatus code, String contentType, byte[] body,
                      HttpHeaders extraHeaders) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, code,
                Unpooled.wrappedBuffer(body));
        if (extraHeaders != null) {
            response.headers().add(extraHeaders);
        }
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
