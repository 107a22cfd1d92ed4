package io.wallaby.apps;

import io.wallaby.api.Application;
import io.wallaby.api.Codec;
import io.wallaby.api.DecodeException;
import io.wallaby.api.Decoder;
import io.wallaby.api.Pipeline;
import io.wallaby.api.Settings;
import io.wallaby.api.Window;
import io.wallaby.api.WindowedAggregation;
import io.wallaby.api.Windows;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.function.Consumer;

/**
 * The built-in application {@value #NAME}: an alert for an account that withdraws too much within one
 * event-time window.
 *
 * <p>Input: the rows alert_stateless reads ({@link TransactionDecoder}), with {@code account} (an integer) and
 * {@code created_at} (the event time, a timestamp with its offset). A new transaction (insert or snapshot read)
 * without either goes to the dead letters with the reason; updates, deletes and truncates bring no new
 * movement of money and are skipped, as in alert_stateless.
 *
 * <p>Tumbling windows of {@code window} whole seconds, aligned to the Unix epoch; per stream, account and
 * window, the sum of the withdrawals (amount below 0). When a window closes (the stream's newest event time
 * minus {@code lateness} reaches its end) and the sum is below {@code -threshold}, one output:
 * {@code Velocity Alert for account <account>: <sum> withdrawn in [<start>, <end>)}, the sum printed as
 * alert_stateless prints amounts, start and end in ISO-8601 UTC to the second. A row for a window that has
 * closed goes to the dead letters with the reason {@code late}.
 *
 * <p>Settings ({@code --app-config}): {@code window} (seconds, default 60), {@code threshold} (default 5000),
 * {@code lateness} (seconds, default 5). Sink name: {@value #SINK}.
 */
public final class VelocityAlerts implements Application {

    public static final String NAME = "velocity_alerts";
    public static final String SINK = "alert_log";

    @Override
    public Pipeline pipeline(Settings settings) {
        Duration window = settings.seconds("window", 60, 1);
        BigDecimal threshold = BigDecimal.valueOf(settings.number("threshold", 5000));
        Duration lateness = settings.seconds("lateness", 5, 0);
        return Pipeline.source("transactions", new WithdrawalDecoder())
                .then((Withdrawal withdrawal, Consumer<Withdrawal> next) -> {
                    if (withdrawal != Withdrawal.NOT_NEW) {
                        next.accept(withdrawal);
                    }
                })
                .window(Windows.tumbling(window).withAllowedLateness(lateness), new Velocity(threshold), Codec.LONG,
                        Codec.DECIMAL)
                .sink(SINK, (String alert) -> alert.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A movement of money to add up (a deposit is one too: it adds nothing, but moves the watermark), or
     * {@link #NOT_NEW} for a change that brings no new transaction.
     */
    record Withdrawal(long account, long eventTime, BigDecimal amount) {
        static final Withdrawal NOT_NEW = new Withdrawal(0, 0, BigDecimal.ZERO);
    }

    /** Reads a row as alert_stateless does, and checks the account and created_at of a new transaction. */
    static final class WithdrawalDecoder implements Decoder<Withdrawal> {

        private final TransactionDecoder transactions = new TransactionDecoder();

        @Override
        public Withdrawal decode(byte[] payload) throws DecodeException {
            Transaction transaction = transactions.decode(payload);
            if (!transaction.operation().bringsTransaction()) {
                return Withdrawal.NOT_NEW;
            }
            return new Withdrawal(account(transaction), eventTime(transaction), transaction.amount());
        }

        private static long account(Transaction transaction) throws DecodeException {
            if (transaction.account() == null) {
                throw new DecodeException("transaction " + transaction.id() + " has no account");
            }
            try {
                return Long.parseLong(transaction.account());
            } catch (NumberFormatException e) {
                throw new DecodeException("transaction " + transaction.id() + ": account \"" + transaction.account()
                        + "\" is not an integer");
            }
        }

        private static long eventTime(Transaction transaction) throws DecodeException {
            if (transaction.createdAt() == null) {
                throw new DecodeException("transaction " + transaction.id() + " has no created_at");
            }
            try {
                return EventTimes.epochMillis(transaction.createdAt());
            } catch (DateTimeParseException e) {
                throw new DecodeException("transaction " + transaction.id() + ": created_at \""
                        + transaction.createdAt() + "\" is not a timestamp with an offset (such as "
                        + "2026-12-01T18:00:00.5+00:00)");
            }
        }
    }

    /** The sum of withdrawals per account and window, and the alert when a window closes. */
    static final class Velocity implements WindowedAggregation<Withdrawal, Long, BigDecimal, String> {

        private static final DateTimeFormatter SECONDS = DateTimeFormatter.ISO_INSTANT;

        private final BigDecimal limit;

        Velocity(BigDecimal threshold) {
            this.limit = threshold.negate();
        }

        @Override
        public Long key(Withdrawal input) {
            return input.account();
        }

        @Override
        public long eventTime(Withdrawal input) {
            return input.eventTime();
        }

        @Override
        public BigDecimal add(BigDecimal sum, Withdrawal input) {
            BigDecimal before = sum == null ? BigDecimal.ZERO : sum;
            return input.amount().signum() < 0 ? before.add(input.amount()) : before;
        }

        @Override
        public void close(Long account, Window window, BigDecimal sum, Consumer<String> output) {
            if (sum.compareTo(limit) < 0) {
                output.accept("Velocity Alert for account " + account + ": " + sum.stripTrailingZeros().toPlainString()
                        + " withdrawn in [" + utc(window.startInstant()) + ", " + utc(window.endInstant()) + ")");
            }
        }

        private static String utc(Instant instant) {
            return SECONDS.format(instant.truncatedTo(ChronoUnit.SECONDS));
        }
    }
}
