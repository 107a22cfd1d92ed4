package io.wallaby.api;

import java.time.Duration;
import java.util.Objects;

/**
 * How a windowed step cuts event time: windows of {@code size}, one starting every {@code slide}, aligned
 * to the Unix epoch (a window starts at a multiple of {@code slide}), and how late an input may come.
 * Tumbling windows are the case {@code slide == size}: every instant falls in exactly one.
 *
 * <p><b>Watermark.</b> Per stream and step, the highest event time seen minus {@code allowedLateness}. A
 * window closes when the watermark reaches its end; an input for a window that has closed is late: it
 * goes to the dead letters with the reason {@code late} and changes nothing.
 *
 * @param size            the length of a window, at least 1 ms
 * @param slide           how far apart windows start, at least 1 ms and at most {@code size}
 * @param allowedLateness how far behind the newest event time an input may be, not negative
 */
public record Windows(Duration size, Duration slide, Duration allowedLateness) {

    public Windows {
        Objects.requireNonNull(size, "size");
        Objects.requireNonNull(slide, "slide");
        Objects.requireNonNull(allowedLateness, "allowedLateness");
        if (size.toMillis() < 1 || slide.toMillis() < 1 || slide.compareTo(size) > 0) {
            throw new IllegalArgumentException("windows need 1 ms <= slide <= size, got size " + size + ", slide "
                    + slide);
        }
        if (allowedLateness.isNegative()) {
            throw new IllegalArgumentException("allowed lateness must not be negative, got " + allowedLateness);
        }
    }

    /** Back-to-back windows of {@code size}, no lateness allowed. */
    public static Windows tumbling(Duration size) {
        return new Windows(size, size, Duration.ZERO);
    }

    /** Windows of {@code size} starting every {@code slide}, no lateness allowed. */
    public static Windows sliding(Duration size, Duration slide) {
        return new Windows(size, slide, Duration.ZERO);
    }

    /** The same windows, with inputs up to {@code lateness} behind the newest event time accepted. */
    public Windows withAllowedLateness(Duration lateness) {
        return new Windows(size, slide, lateness);
    }

    /** The windows that contain {@code time}, earliest first. */
    public Window[] containing(long time) {
        long sizeMillis = size.toMillis();
        long slideMillis = slide.toMillis();
        long lastStart = Math.floorDiv(time, slideMillis) * slideMillis;
        int count = 0;
        for (long start = lastStart; start > time - sizeMillis; start -= slideMillis) {
            count++;
        }
        Window[] windows = new Window[count];
        long start = lastStart - (long) (count - 1) * slideMillis;
        for (int i = 0; i < count; i++, start += slideMillis) {
            windows[i] = new Window(start, start + sizeMillis);
        }
        return windows;
    }
}
