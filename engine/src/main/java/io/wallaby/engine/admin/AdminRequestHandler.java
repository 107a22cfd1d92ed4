package io.wallaby.engine.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.wallaby.engine.cluster.ClusterMembership;
import io.wallaby.engine.connection.Connectors;
import io.wallaby.engine.process.DeadLetterFile;
import io.wallaby.engine.process.StreamProcessors;
import io.wallaby.engine.stream.EngineCounters;
import io.wallaby.engine.stream.StreamRegistry;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Answers the admin port: {@code GET /health} (200 "ok", or 503 with the reason while starting or
 * draining), {@code GET /metrics} (Prometheus text) and {@code GET /status} (JSON). Every answer
 * closes the connection: these are occasional requests, not a stream.
 */
@ChannelHandler.Sharable
public final class AdminRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private final Health health;
    private final EngineMetrics metrics;
    private final StreamRegistry streams;
    private final Supplier<StatusReport> status;

    public AdminRequestHandler(String application, Health health, EngineMetrics metrics,
                               Connectors connectors, StreamRegistry streams, EngineCounters counters,
                               ThroughputRates rates, DeadLetterFile deadLetters, StreamProcessors processors,
                               ClusterMembership membership) {
        this.health = health;
        this.metrics = metrics;
        this.streams = streams;
        this.status = () -> StatusReport.of(application, health, connectors, streams, counters,
                rates, deadLetters, processors, membership);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws JsonProcessingException {
        String path = new QueryStringDecoder(request.uri()).path();
        if (!HttpMethod.GET.equals(request.method())) {
            reply(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", "only GET\n");
            return;
        }
        switch (path) {
            case "/health" -> {
                if (health.acceptsWork()) {
                    reply(ctx, HttpResponseStatus.OK, "text/plain", "ok\n");
                } else {
                    reply(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain", health.reason() + "\n");
                }
            }
            case "/metrics" -> reply(ctx, HttpResponseStatus.OK, PROMETHEUS_TEXT, metrics.scrape(streams));
            case "/status" -> reply(ctx, HttpResponseStatus.OK, "application/json",
                    json.writerWithDefaultPrettyPrinter().writeValueAsString(status.get()));
            default -> reply(ctx, HttpResponseStatus.NOT_FOUND, "text/plain", "try /health, /metrics or /status\n");
        }
    }

    private static void reply(ChannelHandlerContext ctx, HttpResponseStatus code, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                code, Unpooled.wrappedBuffer(bytes));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
