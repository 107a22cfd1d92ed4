package io.wallaby.apps;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * One account movement: a positive amount is a deposit, a negative one a withdrawal.
 *
 * @param id     the account or transaction id, as it was given (an integer's digits or a string)
 * @param amount the signed amount, exact
 */
public record Transaction(String id, BigDecimal amount) {

    public Transaction {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(amount, "amount");
    }
}
