package io.wallaby.apps;

import com.fasterxml.jackson.core.JacksonException;
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
 */
public final class TransactionDecoder implements Decoder<Transaction> {

    // Exact decimals: a JSON number like 1500.50 must keep every digit, so no double on the way.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    @Override
    public Transaction decode(byte[] payload) throws DecodeException {
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
