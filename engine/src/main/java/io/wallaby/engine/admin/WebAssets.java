package io.wallaby.engine.admin;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The files of the web view, a fixed set read from the engine's jar once, when the admin port opens: the
 * page, its two scripts and its style sheet, and uPlot's built script and style sheet from the uPlot WebJar. Only
 * the paths listed here are ever served, so no request can reach another resource or a file; and the page
 * needs nothing from the internet (no CDN, no build step: plain JavaScript and CSS). About 60 KB in memory.
 */
public final class WebAssets {

    /** One file: what it is ({@code Content-Type}) and its bytes. */
    record Asset(String contentType, byte[] bytes) {
    }

    private static final String OWN = "io/wallaby/engine/admin/web/";
    /** Every WebJar carries its version here, so the jar's paths need not be repeated in the code. */
    private static final String UPLOT_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";
    private static final String HTML = "text/html; charset=utf-8";
    private static final String JAVASCRIPT = "text/javascript; charset=utf-8";
    private static final String CSS = "text/css; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";

    private final Map<String, Asset> byPath;

    private WebAssets(Map<String, Asset> byPath) {
        this.byPath = Map.copyOf(byPath);
    }

    /**
     * Reads every file from the class path.
     *
     * @throws MissingAssetException naming the file, when the jar lacks one (a build that skipped resources)
     */
    public static WebAssets fromClasspath() throws MissingAssetException {
        ClassLoader loader = WebAssets.class.getClassLoader();
        String uplot = "META-INF/resources/webjars/uplot/" + uplotVersion(loader) + "/";
        Map<String, Asset> assets = new LinkedHashMap<>();
        assets.put("/", new Asset(HTML, read(loader, OWN + "index.html")));
        assets.put("/assets/charts.js", new Asset(JAVASCRIPT, read(loader, OWN + "charts.js")));
        assets.put("/assets/app.js", new Asset(JAVASCRIPT, read(loader, OWN + "app.js")));
        assets.put("/assets/app.css", new Asset(CSS, read(loader, OWN + "app.css")));
        assets.put("/assets/uplot.min.js", new Asset(JAVASCRIPT, read(loader, uplot + "dist/uPlot.iife.min.js")));
        assets.put("/assets/uplot.min.css", new Asset(CSS, read(loader, uplot + "dist/uPlot.min.css")));
        // uPlot is MIT-licensed: its licence goes wherever its code goes, and the page links to it.
        assets.put("/assets/uplot-LICENSE.txt", new Asset(TEXT, read(loader, uplot + "LICENSE")));
        return new WebAssets(assets);
    }

    /** The file served at {@code path}, or null when the path is not one of the web view's. */
    Asset get(String path) {
        return byPath.get(path);
    }

    /** The paths served. */
    public Set<String> paths() {
        return byPath.keySet();
    }

    private static String uplotVersion(ClassLoader loader) throws MissingAssetException {
        Properties pom = new Properties();
        try (InputStream in = loader.getResourceAsStream(UPLOT_POM)) {
            if (in == null) {
                throw new MissingAssetException(UPLOT_POM);
            }
            pom.load(in);
        } catch (IOException e) {
            throw new MissingAssetException(UPLOT_POM + " (" + e.getMessage() + ")");
        }
        String version = pom.getProperty("version");
        if (version == null) {
            throw new MissingAssetException(UPLOT_POM + " (no version in it)");
        }
        return version;
    }

    private static byte[] read(ClassLoader loader, String resource) throws MissingAssetException {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new MissingAssetException(resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new MissingAssetException(resource + " (" + e.getMessage() + ")");
        }
    }

    /** A file of the web view is not in the engine's jar. */
    public static final class MissingAssetException extends Exception {
        MissingAssetException(String resource) {
            super("the web view's file " + resource + " is not on the engine's class path: the jar was built "
                    + "without its resources or without the uPlot WebJar; rebuild it with ./mvnw package");
        }
    }
}
