package io.wallaby.source.postgres.logical;

import java.util.regex.Pattern;

/**
 * PostgreSQL log sequence numbers (WAL positions, type {@code pg_lsn}) as {@code long}s, and their text form
 * {@code X/X}: the high and low 32 bits in upper-case hex without leading zeros, as the server prints them
 * ({@code 0/16B3748}). {@link #INVALID} (0) is PostgreSQL's own InvalidXLogRecPtr, which its views show as
 * NULL; no real position is 0.
 *
 * <p>A {@code pg_lsn} is unsigned 64-bit; a position above 2^63 (8 exabytes of WAL) would read as a negative
 * {@code long}, which no server reaches.
 */
public final class Lsn {

    /** No position: PostgreSQL's InvalidXLogRecPtr, NULL in its views. */
    public static final long INVALID = 0;

    private static final Pattern FORM = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");

    private Lsn() {
    }

    /**
     * Parses {@code X/X} (hex, either case, 1 to 8 digits each side).
     *
     * @throws IllegalArgumentException when {@code text} is not in that form
     */
    public static long parse(String text) {
        if (text == null || !FORM.matcher(text).matches()) {
            throw new IllegalArgumentException("not a PostgreSQL LSN (X/X, hex): '" + text + "'");
        }
        int slash = text.indexOf('/');
        return Long.parseLong(text, 0, slash, 16) << 32 | Long.parseLong(text, slash + 1, text.length(), 16);
    }

    /** Parses {@code text}, or gives {@link #INVALID} for null (how the views show "no position"). */
    public static long parseNullable(String text) {
        return text == null ? INVALID : parse(text);
    }

    /** The server's text form of {@code lsn}: {@code 0/0} for {@link #INVALID}. */
    public static String format(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFF_FFFFL).toUpperCase();
    }
}
