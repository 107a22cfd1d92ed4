package io.wallaby.api;

import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The application's own settings: the {@code key=value} pairs of the engine's {@code --app-config}
 * flag, given to {@link Application#pipeline(Settings)}. Every getter takes the default used when the
 * key is absent. A value that does not parse is a {@link SettingsException} naming the key and what
 * was expected; after {@code pipeline} returns the engine refuses to start when a key was given that
 * the application never read (a typo must not be silently ignored).
 *
 * <p>Not thread-safe; used on the main thread at start-up only.
 */
public final class Settings {

    private final Map<String, String> values;
    private final Set<String> read = new HashSet<>();

    private Settings(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The settings {@code values}, keys as given. */
    public static Settings of(Map<String, String> values) {
        return new Settings(values);
    }

    /** No settings: every getter gives its default. */
    public static Settings none() {
        return new Settings(Map.of());
    }

    /** The text of {@code key}, or {@code defaultValue}. */
    public String text(String key, String defaultValue) {
        read.add(key);
        return values.getOrDefault(key, defaultValue);
    }

    /** A whole number. */
    public long number(String key, long defaultValue) {
        String text = text(key, null);
        if (text == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new SettingsException("--app-config " + key + "=" + text + ": not a whole number");
        }
    }

    /** A whole number of seconds, at least {@code min}. */
    public Duration seconds(String key, long defaultSeconds, long min) {
        long seconds = number(key, defaultSeconds);
        if (seconds < min) {
            throw new SettingsException("--app-config " + key + "=" + seconds + ": must be at least " + min
                    + " (whole seconds)");
        }
        return Duration.ofSeconds(seconds);
    }

    /** The keys given that no getter has asked for yet, sorted. */
    public Set<String> unread() {
        Set<String> unread = new TreeSet<>(values.keySet());
        unread.removeAll(read);
        return unread;
    }

    @Override
    public String toString() {
        return values.toString();
    }

    /** A setting that cannot be used; the message names it and says what was expected. */
    public static final class SettingsException extends IllegalArgumentException {
        public SettingsException(String message) {
            super(message);
        }
    }
}
