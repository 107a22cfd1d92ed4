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

import java.io.IOException;
import java.math.BigDecimal;

/**
 * Reads a transaction from a JSON object such as {@code {"id": 3, "amount": "1072.00"}}. The amount
 * may be a JSON number or a numeric string; either way it is read as an exact {@link BigDecimal},
 * never through a {@code double}. The id may be an integer or a non-blank string. Other fields are
 * ignored. Thread-safe.
 *
 * <p>Two readers, one meaning. The streaming reader reads the usual payload, a flat object with a
 * well-formed id and amount, token by token with no tree, since building a tree per message was a
 * third of the engine's CPU. It gives up on anything else (malformed JSON, a missing or null field,
 * a value of the wrong kind, trailing tokens), and the tree reader then decides: so every payload
 * the streaming reader accepts gives the tree reader's transaction, and every rejection keeps the
 * tree reader's message.
 */
public final class TransactionDecoder implements Decoder<Transaction> {

    // Exact decimals: a JSON number like 1500.50 must keep every digit, so no double on the way.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final JsonFactory STREAMING = JSON.getFactory();

    @Override
    public Transaction decode(byte[] payload) throws DecodeException {
        Transaction transaction = readStreaming(payload);
        return transaction != null ? transaction : readTree(payload);
    }

    /** The transaction in {@code payload}, or null when the tree reader must decide (see the class comment). */
    private static Transaction readStreaming(byte[] payload) {
        String id = null;
        BigDecimal amount = null;
        try (JsonParser parser = STREAMING.createParser(payload)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String field;
            while ((field = parser.nextFieldName()) != null) {
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
                } else {
                    parser.skipChildren();
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null
                    || id == null || amount == null) {
                return null;
            }
            return new Transaction(id, amount);
        } catch (IOException | NumberFormatException e) {
            return null;
        }
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

    private static Transaction readTree(byte[] payload) throws DecodeException {
        JsonNode root;
        try {
            root = JSON.readTree(payload);
        } catch (JacksonException e) {
            throw new DecodeException("not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new DecodeException("cannot read the payload: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new DecodeException("expected a JSON object with \"id\" and \"amount\", got "
                    + (root == null || root.isMissingNode() ? "nothing" : root.getNodeType().toString().toLowerCase()));
        }
        return new Transaction(id(root.get("id")), amount(root.get("amount")));
    }

    private static String id(JsonNode node) throws DecodeException {
        if (node == null || node.isNull()) {
            throw new DecodeException("missing \"id\"");
        }
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue().toString();
        }
        if (node.isTextual() && !node.textValue().isBlank()) {
            return node.textValue();
        }
        throw new DecodeException("\"id\" must be an integer or a non-blank string, got " + node);
    }

    private static BigDecimal amount(JsonNode node) throws DecodeException {
        if (node == null || node.isNull()) {
            throw new DecodeException("missing \"amount\"");
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        if (node.isTextual()) {
            try {
                return new BigDecimal(node.textValue().trim());
            } catch (NumberFormatException e) {
                throw new DecodeException("\"amount\" is not a decimal number: " + node);
            }
        }
        throw new DecodeException("\"amount\" must be a number or a numeric string, got " + node);
    }
}
