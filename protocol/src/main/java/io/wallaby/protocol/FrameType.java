package io.wallaby.protocol;

/** The one-byte type that follows every frame's length prefix (PROTOCOL.md, "Frame types"). */
public enum FrameType {
    HELLO(0), OK(1), ERROR(2), NOTIFY(3), NOTIFY_ACK(4), MESSAGE(5), ACK(6), RESTART(7), EOS(8);

    private static final FrameType[] BY_CODE = values();

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type for a wire code, or {@code null} when the code names no frame type. */
    public static FrameType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
