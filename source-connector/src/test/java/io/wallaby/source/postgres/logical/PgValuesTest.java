package io.wallaby.source.postgres.logical;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Column values in their JSON form: exact numbers, ISO timestamps, strings escaped. */
class PgValuesTest {

    private static String json(int type, String text) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(); // bytes, as the envelope writes them
        try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
            byte[] bytes = ("xx" + text).getBytes(StandardCharsets.UTF_8);
            PgValues.write(json, type, bytes, 2, bytes.length - 2); // a slice, as tuples hold them
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void timestampsBecomeIsoWithTheirOffset() throws Exception {
        assertEquals("\"2026-12-01T18:00:00.25+00:00\"", json(PgValues.TIMESTAMPTZ, "2026-12-01 18:00:00.25+00"));
        assertEquals("\"2026-12-01T18:00:00+05:30\"", json(PgValues.TIMESTAMPTZ, "2026-12-01 18:00:00+05:30"));
        assertEquals("\"2026-12-01T18:00:00-03:00\"", json(PgValues.TIMESTAMPTZ, "2026-12-01 18:00:00-03"));
        assertEquals("\"12026-12-01T18:00:00+00:00\"", json(PgValues.TIMESTAMPTZ, "12026-12-01 18:00:00+00"));
        assertEquals("\"2026-12-01T18:00:00\"", json(PgValues.TIMESTAMP, "2026-12-01 18:00:00"));
        assertEquals("\"infinity\"", json(PgValues.TIMESTAMPTZ, "infinity"));
        assertEquals("\"0044-03-15 12:00:00+00 BC\"", json(PgValues.TIMESTAMPTZ, "0044-03-15 12:00:00+00 BC"));
        assertEquals("2026-12-01T18:00:00+00:00", PgValues.isoTimestamp("2026-12-01 18:00:00+00", true));
    }

    @Test
    void numbersKeepTheirDigitsAndWhatJsonCannotHoldIsAString() throws Exception {
        assertEquals("1500.50", json(PgValues.NUMERIC, "1500.50"));
        assertEquals("-0.000000000000000000001", json(PgValues.NUMERIC, "-0.000000000000000000001"));
        assertEquals("\"NaN\"", json(PgValues.NUMERIC, "NaN"));
        assertEquals("\"-Infinity\"", json(PgValues.FLOAT8, "-Infinity"));
        assertEquals("9223372036854775807", json(PgValues.INT8, "9223372036854775807"));
        assertEquals("true", json(PgValues.BOOL, "t"));
        assertEquals("false", json(PgValues.BOOL, "f"));
    }

    @Test
    void jsonIsEmbeddedAndTextEscaped() throws Exception {
        assertEquals("{\"a\": [1, 2.50]}", json(PgValues.JSONB, "{\"a\": [1, 2.50]}"));
        assertEquals("\"say \\\"hi\\\"\\n\\u0001 ünïcödé\"", json(25, "say \"hi\"\n\u0001 ünïcödé"));
    }
}
