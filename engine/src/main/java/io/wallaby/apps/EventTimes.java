package io.wallaby.apps;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Reads a timestamp with its offset, as the PostgreSQL source prints a {@code timestamptz}
 * ({@code 2026-12-01T18:00:00.123456+00:00}), into milliseconds since the Unix epoch (the fraction beyond
 * milliseconds is floored, which keeps every comparison with whole-millisecond window bounds exact).
 *
 * <p>A hand-written reader for that one shape, because {@link OffsetDateTime#parse} was a fifth of the
 * engine's CPU in the state benchmark (its field maps allocate per call). Anything else, such as
 * {@code Z} for the offset, a space for the {@code T} or an offset with seconds, goes to
 * {@code OffsetDateTime.parse}, so both read the same instants; a text neither reads is refused.
 */
final class EventTimes {

    private static final long MILLIS_PER_DAY = 86_400_000L;

    private EventTimes() {
    }

    /**
     * @throws DateTimeParseException when {@code text} is not an ISO-8601 date-time with an offset
     */
    static long epochMillis(String text) {
        long fast = fast(text);
        if (fast != Long.MIN_VALUE) {
            return fast;
        }
        return OffsetDateTime.parse(text.replace(' ', 'T')).toInstant().toEpochMilli();
    }

    /** The instant of {@code yyyy-MM-ddTHH:mm:ss[.fraction]±HH:MM}, or {@code Long.MIN_VALUE} for another shape. */
    private static long fast(String text) {
        int n = text.length();
        if (n < 25 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return Long.MIN_VALUE;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        int i = 19;
        int millis = 0;
        if (text.charAt(i) == '.') {
            int start = ++i;
            while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                if (i - start < 3) {
                    millis = millis * 10 + (text.charAt(i) - '0');
                }
                i++;
            }
            int length = i - start;
            if (length == 0 || length > 9) {
                return Long.MIN_VALUE;
            }
            for (int k = length; k < 3; k++) {
                millis *= 10;
            }
        }
        if (n - i != 6 || (text.charAt(i) != '+' && text.charAt(i) != '-') || text.charAt(i + 3) != ':') {
            return Long.MIN_VALUE;
        }
        int offsetHours = digits(text, i + 1, 2);
        int offsetMinutes = digits(text, i + 4, 2);
        if ((year | month | day | hour | minute | second | offsetHours | offsetMinutes) < 0
                || hour > 23 || minute > 59 || second > 59 || offsetHours > 18 || offsetMinutes > 59) {
            return Long.MIN_VALUE;
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return Long.MIN_VALUE; // no such day: the slow reader says why
        }
        int offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (text.charAt(i) == '-' ? -1 : 1);
        return epochDay * MILLIS_PER_DAY + (hour * 3600L + minute * 60L + second - offsetSeconds) * 1000L + millis;
    }

    /** The value of {@code count} decimal digits at {@code from}, or -1 when one is not a digit. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
