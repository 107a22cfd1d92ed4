package io.wallaby.protocol;

/**
 * Points of reference and message ids are unsigned 64-bit values held in {@code long}s, and
 * {@link Frame#U64_MAX} means "none yet": nothing acknowledged or committed. The engine and the connector
 * SDK read them through these helpers, so that the reading lives in one place.
 */
public final class Points {

    /** No point of reference: nothing acknowledged or committed yet. */
    public static final long NONE = Frame.U64_MAX;

    private Points() {
    }

    /** Whether message id {@code id} comes after {@code point}; everything comes after {@link #NONE}. */
    public static boolean isAfter(long id, long point) {
        return point == NONE || Long.compareUnsigned(id, point) > 0;
    }

    /** For status and short log lines: the unsigned value, or "none". */
    public static String show(long point) {
        return point == NONE ? "none" : Long.toUnsignedString(point);
    }

    /** For a log line saying where a stream resumes: the unsigned value, or where {@link #NONE} leaves it. */
    public static String describe(long point) {
        return point == NONE ? "the beginning (nothing acknowledged)" : Long.toUnsignedString(point);
    }
}
