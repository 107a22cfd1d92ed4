package io.wallaby.apps;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.wallaby.api.DecodeException;
import io.wallaby.api.Decoder;
import io.wallaby.apps.Transaction.Operation;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.Locale;

/**
 * Reads a {@link Transaction} from either of the two payloads the PostgreSQL source sends. Thread-safe.
 *
 * <p><b>A table row</b>, such as {@code {"id": 3, "amount": "1072.00"}}, is an
 * {@link Operation#INSERT}. The amount may be a JSON number or a numeric string; either way it is read
 * as an exact {@link BigDecimal}, never through a {@code double}. The id may be an integer or a
 * non-blank string. {@code account} (an integer or a string) and {@code created_at} (a string) are kept as
 * text, unchecked, when present: only velocity_alerts reads them, and checks them. Other fields are ignored.
 *
 * <p><b>A change envelope</b>, such as
 * {@code {"op":"c","table":"public.transactions","before":null,"after":{"id":1,"amount":1500.50},"source":{...}}},
 * is an object with an {@code "op"} and no {@code "id"} or {@code "amount"} of its own (so a table row
 * with a column named {@code op} stays a row). Its op is one of {@code c} (insert), {@code r}
 * (snapshot read), {@code u} (update), {@code d} (delete), {@code t} (truncate); anything else is bad
 * input. For {@code c} and {@code r} the transaction is read from {@code "after"} by the row rules above.
 * For {@code u}, {@code "after"} must be an object but is not read; for {@code d} and {@code t} nothing
 * else is read: those give {@link Transaction#without}. {@code "before"}, {@code "unchanged"},
 * {@code "table"} and {@code "source"} are not read. Field order does not matter.
 *
 * <p>Two readers, one meaning. The streaming reader reads the usual payloads, a flat row with a
 * well-formed id and amount and an envelope whose op comes first (with, for c and r, a flat
 * {@code "after"} holding a well-formed id and amount), token by token with no tree, since building a
 * tree per message was a third of the engine's CPU. It gives up on anything else (malformed JSON, a
 * missing or null field, a value of the wrong kind, trailing tokens, an op later in the envelope), and
 * the tree reader then decides: so every payload the streaming reader accepts gives the tree reader's
 * transaction, and every rejection keeps the tree reader's message.
 */
public final class TransactionDecoder implements Decoder<Transaction> {

    // Exact decimals: a JSON number like 1500.50 must keep every digit, so no double on the way.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final JsonFactory STREAMING = JSON.getFactory();

    private static final String ENVELOPE_AFTER = "change envelope \"after\": ";
    private static final String OPS = "\"c\" (insert), \"r\" (snapshot read), \"u\" (update), \"d\" (delete) "
            + "or \"t\" (truncate)";

    @Override
    public Transaction decode(byte[] payload) throws DecodeException {
        Transaction transaction = readStreaming(payload);
        return transaction != null ? transaction : readTree(payload);
    }

    /** The transaction in {@code payload}, or null when the tree reader must decide (see the class comment). */
    static Transaction readStreaming(byte[] payload) {
        try (JsonParser parser = STREAMING.createParser(payload)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String first = parser.nextFieldName();
            Transaction transaction = "op".equals(first)
                    ? streamedEnvelope(parser)
                    : streamedRow(parser, first, Operation.INSERT);
            if (transaction == null || parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return null;
            }
            return transaction;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /**
     * Reads the rest of the object whose next field is {@code field} (null: none) as a row, stopping on its
     * END_OBJECT. A field named op is skipped like any other: a row that has both id and amount is a row.
     */
    private static Transaction streamedRow(JsonParser parser, String field, Operation operation) throws IOException {
        String id = null;
        BigDecimal amount = null;
        String account = null;
        String createdAt = null;
        for (; field != null; field = parser.nextFieldName()) {
            JsonToken value = parser.nextToken();
            // A repeated field: the last one counts, as in the tree.
            if ("id".equals(field)) {
                id = streamedId(parser, value);
                if (id == null) {
                    return null;
                }
            } else if ("amount".equals(field)) {
                amount = streamedAmount(parser, value);
                if (amount == null) {
                    return null;
                }
            } else if ("account".equals(field)) {
                account = value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_STRING
                        ? streamedId(parser, value) : null;
                parser.skipChildren();
            } else if ("created_at".equals(field)) {
                createdAt = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                parser.skipChildren();
            } else {
                parser.skipChildren();
            }
        }
        return id == null || amount == null ? null : new Transaction(operation, id, amount, account, createdAt);
    }

    /** Reads the rest of an envelope whose "op" field name was just read, stopping on its END_OBJECT. */
    private static Transaction streamedEnvelope(JsonParser parser) throws IOException {
        // The op's one character read in place: no String per message.
        if (parser.nextToken() != JsonToken.VALUE_STRING || parser.getTextLength() != 1) {
            return null;
        }
        Operation operation = Operation.ofCode(parser.getTextCharacters()[parser.getTextOffset()]);
        if (operation == null) {
            return null;
        }
        Transaction row = null;
        boolean sawAfter = false;
        String field;
        while ((field = parser.nextFieldName()) != null) {
            JsonToken value = parser.nextToken();
            if ("after".equals(field) && hasAfter(operation)) {
                if (value != JsonToken.START_OBJECT) {
                    return null;
                }
                if (operation.bringsTransaction()) {
                    // A repeated "after": the last one counts, as in the tree.
                    row = streamedRow(parser, parser.nextFieldName(), operation);
                    if (row == null) {
                        return null;
                    }
                } else {
                    parser.skipChildren();
                }
                sawAfter = true;
            } else if ("op".equals(field) || "id".equals(field) || "amount".equals(field)) {
                return null; // a repeated op, or a row's field: the tree decides what this is
            } else {
                parser.skipChildren();
            }
        }
        if (operation.bringsTransaction()) {
            return row;
        }
        return sawAfter || !hasAfter(operation) ? Transaction.without(operation) : null;
    }

    private static String streamedId(JsonParser parser, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NUMBER_INT) {
            // The tree prints the integer's value (BigInteger.toString), so -0 is "0": print the value too.
            return parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? parser.getBigIntegerValue().toString() : Long.toString(parser.getLongValue());
        }
        if (value == JsonToken.VALUE_STRING) {
            String text = parser.getText();
            return text.isBlank() ? null : text;
        }
        return null;
    }

    private static BigDecimal streamedAmount(JsonParser parser, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT) {
            return parser.getDecimalValue(); // from the token's text: exact, as USE_BIG_DECIMAL_FOR_FLOATS
        }
        if (value == JsonToken.VALUE_STRING) {
            return new BigDecimal(parser.getText().trim());
        }
        return null;
    }

    /** The envelope carries the new row in "after" for these operations. */
    private static boolean hasAfter(Operation operation) {
        return operation.bringsTransaction() || operation == Operation.UPDATE;
    }

    static Transaction readTree(byte[] payload) throws DecodeException {
        JsonNode root;
        try {
            root = JSON.readTree(payload);
        } catch (JacksonException e) {
            throw new DecodeException("not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new DecodeException("cannot read the payload: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new DecodeException("expected a JSON object with \"id\" and \"amount\", got " + kind(root));
        }
        if (root.has("op") && !root.has("id") && !root.has("amount")) {
            return envelope(root);
        }
        return row(root, Operation.INSERT, "", null);
    }

    private static Transaction envelope(JsonNode root) throws DecodeException {
        JsonNode op = root.get("op");
        Operation operation = op.isTextual() && op.textValue().length() == 1
                ? Operation.ofCode(op.textValue().charAt(0)) : null;
        if (operation == null) {
            throw new DecodeException("change envelope: unknown \"op\" " + op + ", expected " + OPS);
        }
        if (!hasAfter(operation)) {
            return Transaction.without(operation);
        }
        JsonNode after = root.get("after");
        if (after == null || !after.isObject()) {
            throw new DecodeException("change envelope: \"op\" \"" + operation.code() + "\" (" + describe(operation)
                    + ") needs \"after\", the new row as a JSON object, got " + kind(after));
        }
        return operation.bringsTransaction()
                ? row(after, operation, ENVELOPE_AFTER, root.get("unchanged"))
                : Transaction.without(operation);
    }

    /**
     * The transaction in {@code row}; every message starts with {@code where}. {@code unchanged} is the
     * envelope's list of columns PostgreSQL left out, named when a missing field is one of them.
     */
    private static Transaction row(JsonNode row, Operation operation, String where, JsonNode unchanged)
            throws DecodeException {
        String id = id(row.get("id"), where, unchanged);
        JsonNode account = row.get("account");
        JsonNode createdAt = row.get("created_at");
        return new Transaction(operation, id, amount(row.get("amount"), where, unchanged),
                account == null ? null : account.isIntegralNumber() ? account.bigIntegerValue().toString()
                        : account.isTextual() && !account.textValue().isBlank() ? account.textValue() : null,
                createdAt != null && createdAt.isTextual() ? createdAt.textValue() : null);
    }

    private static String id(JsonNode node, String where, JsonNode unchanged) throws DecodeException {
        if (node == null || node.isNull()) {
            throw missing("id", node, where, unchanged);
        }
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue().toString();
        }
        if (node.isTextual() && !node.textValue().isBlank()) {
            return node.textValue();
        }
        throw new DecodeException(where + "\"id\" must be an integer or a non-blank string, got " + node);
    }

    private static BigDecimal amount(JsonNode node, String where, JsonNode unchanged) throws DecodeException {
        if (node == null || node.isNull()) {
            throw missing("amount", node, where, unchanged);
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        if (node.isTextual()) {
            try {
                return new BigDecimal(node.textValue().trim());
            } catch (NumberFormatException e) {
                throw new DecodeException(where + "\"amount\" is not a decimal number: " + node);
            }
        }
        throw new DecodeException(where + "\"amount\" must be a number or a numeric string, got " + node);
    }

    private static DecodeException missing(String field, JsonNode node, String where, JsonNode unchanged) {
        if (node == null && unchanged != null && unchanged.isArray()) {
            for (JsonNode column : unchanged) {
                if (field.equals(column.textValue())) {
                    return new DecodeException(where + "missing \"" + field + "\": PostgreSQL left it out as an "
                            + "unchanged TOASTed value (see \"unchanged\"), but a new row must carry it");
                }
            }
        }
        return new DecodeException(where + "missing \"" + field + "\"");
    }

    private static String describe(Operation operation) {
        return operation == Operation.SNAPSHOT ? "snapshot read" : operation.name().toLowerCase(Locale.ROOT);
    }

    private static String kind(JsonNode node) {
        return node == null || node.isMissingNode() ? "nothing" : node.getNodeType().toString().toLowerCase(Locale.ROOT);
    }
}
