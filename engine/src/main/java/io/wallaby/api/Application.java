package io.wallaby.api;

/**
 * A Wallaby application: what the engine runs on every message of every source stream.
 *
 * <p>The engine is started with {@code --application} naming either a built-in application
 * ({@code alert_stateless}) or the fully qualified name of a class implementing this interface with
 * a public no-argument constructor, found on the engine's classpath. The engine creates one
 * instance at start-up and calls {@link #pipeline(Settings)} once, on the main thread, before it accepts
 * any connection. {@code settings} are the {@code --app-config key=value} pairs; the engine refuses to
 * start when one was given that the application did not read.
 *
 * <pre>{@code
 * public final class Shout implements Application {
 *     public Pipeline pipeline(Settings settings) {
 *         return Pipeline.source("lines", payload -> new String(payload, UTF_8))
 *                 .then((String line, Consumer<String> out) -> out.accept(line.toUpperCase()))
 *                 .sink("shouts", line -> line.getBytes(UTF_8));
 *     }
 * }
 * }</pre>
 */
public interface Application {

    /** The pipeline every source message goes through, built with the application's settings. */
    Pipeline pipeline(Settings settings);
}
