package io.wallaby.engine.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

import static io.wallaby.engine.admin.HttpReplies.reply;

/**
 * Answers the admin port: {@code GET /health} (200 "ok", or 503 with the reason while starting or
 * draining), {@code GET /metrics} (Prometheus text) and {@code GET /status} (JSON, {@link StatusReport}).
 * The web view's files are served before this handler ({@link WebViewHandler}); what reaches here and is
 * none of the above is a 404 (or a 405 for a method other than GET).
 */
@ChannelHandler.Sharable
public final class AdminRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private final StatusReport.Inputs status;
    private final EngineMetrics metrics;

    public AdminRequestHandler(StatusReport.Inputs status, EngineMetrics metrics) {
        this.status = status;
        this.metrics = metrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws JsonProcessingException {
        String path = new QueryStringDecoder(request.uri()).path();
        if (!HttpMethod.GET.equals(request.method())) {
            reply(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", "only GET\n");
            return;
        }
        Health health = status.health();
        switch (path) {
            case "/health" -> {
                if (health.acceptsWork()) {
                    reply(ctx, HttpResponseStatus.OK, "text/plain", "ok\n");
                } else {
                    reply(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain", health.reason() + "\n");
                }
            }
            case "/metrics" -> reply(ctx, HttpResponseStatus.OK, PROMETHEUS_TEXT, metrics.scrape(status.streams()));
            case "/status" -> reply(ctx, HttpResponseStatus.OK, "application/json",
                    json.writerWithDefaultPrettyPrinter().writeValueAsString(StatusReport.of(status)));
            default -> reply(ctx, HttpResponseStatus.NOT_FOUND, "text/plain",
                    "try / (the web view), /health, /metrics or /status\n");
        }
    }
}
