package io.wallaby.connector;

import picocli.CommandLine;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the duration flags of every Wallaby command, the engine's and the connectors': {@code 30s}, {@code 500ms},
 * {@code 5m}, {@code 1h}, {@code 0} (a bare number is seconds) or an ISO-8601 {@code PT30S}. Use with
 * {@code @Option(converter = DurationOption.class, defaultValue = "10s", paramLabel = "DURATION")}.
 */
public final class DurationOption implements CommandLine.ITypeConverter<Duration> {

    private static final Pattern AMOUNT = Pattern.compile("(\\d+)(ms|s|m|h)?");

    @Override
    public Duration convert(String value) {
        Matcher matcher = AMOUNT.matcher(value.trim());
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            String unit = matcher.group(2) == null ? "s" : matcher.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofSeconds(amount);
            };
        }
        try {
            return Duration.parse(value);
        } catch (RuntimeException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: write 30s, 500ms, 5m or 1h");
        }
    }
}
