package io.wallaby.kafkabroker;

import picocli.CommandLine;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a duration flag as every Wallaby command does ({@code io.wallaby.connector.DurationOption} in the protocol
 * module, the same syntax): {@code 6s}, {@code 500ms}, {@code 5m}, {@code 1h}, a bare number of seconds, or ISO-8601
 * {@code PT6S}. Its own copy: this module depends on no other Wallaby module (see its pom).
 */
public final class DurationFlag implements CommandLine.ITypeConverter<Duration> {

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
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: write 6s, 500ms, 5m or 1h");
        }
    }
}
