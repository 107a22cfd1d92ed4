package io.wallaby.connector;

import io.wallaby.protocol.Frame;

/** Comparing and printing points of reference, which are unsigned and use U64_MAX for "none yet". */
final class Points {

    private Points() {
    }

    /** True when {@code messageId} comes after {@code point} (U64_MAX: nothing yet, so everything does). */
    static boolean isAfter(long messageId, long point) {
        return point == Frame.U64_MAX || Long.compareUnsigned(messageId, point) > 0;
    }

    static String describe(long point) {
        return point == Frame.U64_MAX ? "the beginning (nothing acknowledged)" : Long.toUnsignedString(point);
    }
}
