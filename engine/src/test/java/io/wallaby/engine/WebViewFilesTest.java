package io.wallaby.engine;

import io.wallaby.apps.AlertStateless;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web view's files on the admin port: the page and everything it references are served, with their
 * content types, from the engine's own class path (uPlot from its WebJar); nothing else is, whatever the path.
 */
class WebViewFilesTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static EngineServer engine;

    @BeforeAll
    static void start() throws Exception {
        engine = new EngineServer(EngineConfig.onFreePorts().withAdminPort(0), new AlertStateless()).start();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private static HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.adminPort() + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String contentType(HttpResponse<?> response) {
        return response.headers().firstValue("content-type").orElse("");
    }

    @Test
    void thePageAndEveryFileItNamesAreServedFromTheEngineWithTheirTypes() throws Exception {
        HttpResponse<byte[]> page = get("/");
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", contentType(page));
        String html = new String(page.body(), StandardCharsets.UTF_8);
        assertTrue(html.contains("<title>Wallaby engine</title>"), html);
        String policy = page.headers().firstValue("content-security-policy").orElse("");
        assertTrue(policy.startsWith("default-src 'self'"), policy);
        assertEquals("nosniff", page.headers().firstValue("x-content-type-options").orElse(""));

        List<String> referenced = new ArrayList<>();
        Matcher m = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(html);
        while (m.find()) {
            referenced.add(m.group(1));
        }
        assertTrue(referenced.containsAll(List.of("/assets/uplot.min.js", "/assets/uplot.min.css",
                "/assets/charts.js", "/assets/app.js", "/assets/app.css")), referenced.toString());
        for (String reference : referenced) {
            // Offline: nothing from another origin. Links to the engine's own endpoints are checked below.
            assertTrue(reference.startsWith("/") || reference.startsWith("data:"), "not from the engine: " + reference);
            if (!reference.startsWith("/assets/")) {
                continue;
            }
            HttpResponse<byte[]> file = get(reference);
            assertEquals(200, file.statusCode(), reference);
            String expected = reference.endsWith(".js") ? "text/javascript; charset=utf-8"
                    : reference.endsWith(".css") ? "text/css; charset=utf-8" : "text/plain; charset=utf-8";
            assertEquals(expected, contentType(file), reference);
            assertTrue(file.body().length > 0, reference);
        }
        assertEquals(200, get("/status").statusCode());
        assertEquals(200, get("/metrics").statusCode());
        assertEquals(200, get("/health").statusCode());
    }

    @Test
    void uPlotIsTheWebJarsOwnBuild() throws Exception {
        byte[] fromJar;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(
                "META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.iife.min.js")) {
            fromJar = in.readAllBytes();
        }
        assertArrayEquals(fromJar, get("/assets/uplot.min.js").body());
    }

    @Test
    void noOtherPathReachesAFileOrAResource() throws Exception {
        for (String path : List.of("/index.html", "/assets/", "/assets/nothing.js", "/app.js",
                "/io/wallaby/engine/admin/web/app.js", "/META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.min.css",
                "/assets/../status", "/assets/%2e%2e/%2e%2e/pom.xml", "/../../../../etc/passwd",
                "/assets/..%2f..%2fapp.js", "//etc/passwd", "/assets/app.js/")) {
            String answer = rawRequest("GET " + path + " HTTP/1.1");
            assertTrue(answer.startsWith("HTTP/1.1 404 Not Found"), path + " answered " + answer);
            assertTrue(answer.contains("try / (the web view), /health, /metrics or /status"), answer);
        }
    }

    @Test
    void onlyGetIsAnswered() throws Exception {
        assertTrue(rawRequest("POST / HTTP/1.1").startsWith("HTTP/1.1 405"));
        assertTrue(rawRequest("DELETE /assets/app.js HTTP/1.1").startsWith("HTTP/1.1 405"));
    }

    /** A request written byte for byte, so that no client tidies the path first; the whole answer. */
    private static String rawRequest(String requestLine) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", engine.adminPort())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write((requestLine + "\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
