package io.wallaby.api;

/**
 * The state of one key on one stream, as a {@link KeyedComputation} sees it during one call. Valid
 * only during that call.
 *
 * <p>A value given to {@link #set} must not be changed afterwards: the engine keeps the reference and
 * writes it into a checkpoint later, on another thread. Use immutable values (records, strings,
 * {@code BigDecimal}) and set a new one to change it.
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
