package io.wallaby.api;

/**
 * The state of one key on one stream, as a {@link KeyedComputation} sees it during one call. Valid
 * only during that call.
 *
 * <p>Use immutable values (records, strings, {@code BigDecimal}) and {@link #set} a new one to change it:
 * the engine keeps the reference and encodes it into the next checkpoint, so a change made to the object
 * without calling {@code set} again may never reach a checkpoint.
 *
 * @param <S> the state
 */
public interface ValueState<S> {

    /** The value, or null when the key has none. */
    S get();

    /** Replaces the value; {@code value} must not be null (use {@link #clear}). */
    void set(S value);

    /** Forgets the key. */
    void clear();
}
