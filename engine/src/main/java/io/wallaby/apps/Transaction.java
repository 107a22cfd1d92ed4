package io.wallaby.apps;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * What one source message says about the transactions table: an account movement, or a change that
 * brings none. A positive amount is a deposit, a negative one a withdrawal.
 *
 * <p>A new transaction ({@link Operation#INSERT} or {@link Operation#SNAPSHOT}) has its id and amount.
 * An {@link Operation#UPDATE}, {@link Operation#DELETE} or {@link Operation#TRUNCATE} has neither:
 * its rows are not read (alert_stateless has no use for them), so their content can never make a
 * message bad input. Switch over {@link #operation()} before reading {@link #id()} or {@link #amount()}.
 *
 * @param operation what happened to the table; a flat table row is an {@link Operation#INSERT}
 * @param id        the account or transaction id, as it was given (an integer's digits or a string);
 *                  null exactly when the operation brings no new transaction
 * @param amount    the signed amount, exact; null exactly when {@code id} is
 * @param account   the row's {@code account} as given (an integer's digits or a string), unchecked; null when
 *                  the row has none (or it is neither a number nor a string): only velocity_alerts reads it
 * @param createdAt the row's {@code created_at} text as given, unchecked; null when absent or not a string
 */
public record Transaction(Operation operation, String id, BigDecimal amount, String account, String createdAt) {

    private static final Transaction UPDATED = new Transaction(Operation.UPDATE, null, null);
    private static final Transaction DELETED = new Transaction(Operation.DELETE, null, null);
    private static final Transaction TRUNCATED = new Transaction(Operation.TRUNCATE, null, null);

    public Transaction {
        Objects.requireNonNull(operation, "operation");
        if (operation.bringsTransaction()) {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(amount, "amount");
        } else if (id != null || amount != null || account != null || createdAt != null) {
            throw new IllegalArgumentException(operation + " brings no transaction: its fields must be null");
        }
    }

    /** A change without account or creation time. */
    public Transaction(Operation operation, String id, BigDecimal amount) {
        this(operation, id, amount, null, null);
    }

    /** A new transaction read from a table row: an {@link Operation#INSERT}. */
    public Transaction(String id, BigDecimal amount) {
        this(Operation.INSERT, id, amount);
    }

    /**
     * The change {@code operation}, which brings no new transaction (one shared instance per operation).
     *
     * @throws IllegalArgumentException for {@link Operation#INSERT} and {@link Operation#SNAPSHOT}
     */
    public static Transaction without(Operation operation) {
        return switch (operation) {
            case UPDATE -> UPDATED;
            case DELETE -> DELETED;
            case TRUNCATE -> TRUNCATED;
            case INSERT, SNAPSHOT -> throw new IllegalArgumentException(operation + " brings a transaction");
        };
    }

    /** What happened to the table: the {@code op} of a change envelope, one letter each. */
    public enum Operation {
        /** {@code "c"}: the row was inserted. */
        INSERT('c'),
        /** {@code "r"}: the row was read by the initial snapshot: it was in the table before capture began. */
        SNAPSHOT('r'),
        /** {@code "u"}: the row was updated. */
        UPDATE('u'),
        /** {@code "d"}: the row was deleted. */
        DELETE('d'),
        /** {@code "t"}: the table was truncated. */
        TRUNCATE('t');

        private final char code;

        Operation(char code) {
            this.code = code;
        }

        /** The envelope's {@code op} letter. */
        public char code() {
            return code;
        }

        /**
         * True for the operations that bring a transaction no capture has delivered before: an insert, and a
         * snapshot read (a row that was in the table before capture began).
         */
        public boolean bringsTransaction() {
            return this == INSERT || this == SNAPSHOT;
        }

        /** The operation whose {@code op} letter is {@code code}, or null when there is none. */
        public static Operation ofCode(char code) {
            return switch (code) {
                case 'c' -> INSERT;
                case 'r' -> SNAPSHOT;
                case 'u' -> UPDATE;
                case 'd' -> DELETE;
                case 't' -> TRUNCATE;
                default -> null;
            };
        }
    }
}
