package io.wallaby.apps;

import io.wallaby.api.Application;
import io.wallaby.api.Computation;
import io.wallaby.api.Pipeline;
import io.wallaby.api.Settings;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The built-in application {@value #NAME}: raises an alert for every large deposit or withdrawal.
 *
 * <p>Input: a JSON table row or change envelope ({@link TransactionDecoder}). Output, as UTF-8 text,
 * for a new transaction with an amount above 1000: {@code Deposit Alert for <id>: <amount>}; below
 * -1000: {@code Withdrawal Alert for <id>: <amount>}; nothing otherwise. The amount is printed without
 * trailing zeros or exponent (1072.00 gives 1072, 1500.50 gives 1500.5). Sink name: {@value #SINK},
 * so the stream {@code transactions} feeds the sink stream {@code alert_log/transactions}.
 *
 * <p>Which changes alert: a table row, an insert ({@code "op":"c"}) and a snapshot read
 * ({@code "op":"r"}). A snapshot row was in the table before capture began: it is an existing
 * transaction that nothing has alerted on, so it alerts like an insert. (So rows already delivered in
 * table mode alert again if a change capture later snapshots their table.) An update, delete or
 * truncate gives no output and is not bad input: it brings no new movement of money, and alerting on
 * an edited amount would alert one transaction twice.
 */
public final class AlertStateless implements Application {

    public static final String NAME = "alert_stateless";
    public static final String SINK = "alert_log";

    private static final BigDecimal DEPOSIT_THRESHOLD = new BigDecimal(1000);
    private static final BigDecimal WITHDRAWAL_THRESHOLD = new BigDecimal(-1000);

    @Override
    public Pipeline pipeline(Settings settings) {
        return Pipeline.source("transactions", new TransactionDecoder())
                .then(new Alerts())
                .sink(SINK, (String alert) -> alert.getBytes(StandardCharsets.UTF_8));
    }

    /** The alert rule: stateless, so one instance serves every stream at once. */
    static final class Alerts implements Computation<Transaction, String> {

        @Override
        public void compute(Transaction transaction, Consumer<String> output) {
            switch (transaction.operation()) {
                case INSERT, SNAPSHOT -> alert(transaction, output);
                case UPDATE, DELETE, TRUNCATE -> { } // no new transaction: see the class comment
            }
        }

        private static void alert(Transaction transaction, Consumer<String> output) {
            BigDecimal amount = transaction.amount();
            if (amount.compareTo(DEPOSIT_THRESHOLD) > 0) {
                output.accept("Deposit Alert for " + transaction.id() + ": " + plain(amount));
            } else if (amount.compareTo(WITHDRAWAL_THRESHOLD) < 0) {
                output.accept("Withdrawal Alert for " + transaction.id() + ": " + plain(amount));
            }
        }

        private static String plain(BigDecimal amount) {
            return amount.stripTrailingZeros().toPlainString();
        }
    }
}
