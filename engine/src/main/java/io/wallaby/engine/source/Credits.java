package io.wallaby.engine.source;

/**
 * How a source connector is paced ({@code --max-credits}, {@code --refill-level}): OK grants it
 * {@code max} credits, and once it has {@code refillLevel} left the engine tops it back up to {@code max}.
 */
public record Credits(long max, long refillLevel) {
}
