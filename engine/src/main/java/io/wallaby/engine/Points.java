package io.wallaby.engine;

import io.wallaby.protocol.Frame;

/**
 * Points of reference and message ids are unsigned 64-bit values held in {@code long}s, and
 * {@link Frame#U64_MAX} means "none yet". These helpers keep that reading in one place.
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

    /** The later of two points, {@link #NONE} counting as the earliest. */
    public static long latest(long a, long b) {
        if (a == NONE) {
            return b;
        }
        if (b == NONE) {
            return a;
        }
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    /** For logs: the unsigned value, or "none". */
    public static String show(long point) {
        return point == NONE ? "none" : Long.toUnsignedString(point);
    }
}
