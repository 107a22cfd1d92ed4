package io.wallaby.apps;

import io.wallaby.api.DecodeException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The decoder's contract, checked on generated payloads: every payload the streaming reader accepts
 * gives exactly the tree reader's transaction. The payloads are mostly change envelopes near the usual
 * shape, with one or two things off (field order, a missing or odd value, a repeated field, a row's
 * field at the top), plus table rows, some with a column named op.
 */
class ReadersAgreeTest {

    private static final long SEED = 20261201L;
    private static final int PAYLOADS = 20_000;

    @Test
    void theStreamingReaderAcceptsOnlyWhatTheTreeReaderReadsTheSame() {
        Random random = new Random(SEED);
        int streamed = 0;
        int treeOnly = 0;
        int rejected = 0;
        for (int i = 0; i < PAYLOADS; i++) {
            String json = random.nextInt(8) == 0 ? row(random) : envelope(random);
            byte[] payload = json.getBytes(StandardCharsets.UTF_8);
            Transaction fast = TransactionDecoder.readStreaming(payload);
            Transaction tree;
            try {
                tree = TransactionDecoder.readTree(payload);
            } catch (DecodeException e) {
                if (fast != null) {
                    fail("payload " + i + " (seed " + SEED + "): streaming read " + fast + ", tree rejected it ("
                            + e.getMessage() + "): " + json);
                }
                rejected++;
                continue;
            }
            if (fast == null) {
                treeOnly++;
            } else {
                assertEquals(tree, fast, "payload " + i + " (seed " + SEED + "): " + json);
                streamed++;
            }
        }
        // Not vacuous: each outcome is common.
        assertTrue(streamed > PAYLOADS / 5, "streamed " + streamed);
        assertTrue(treeOnly > PAYLOADS / 50, "tree only " + treeOnly);
        assertTrue(rejected > PAYLOADS / 10, "rejected " + rejected);
    }

    private static String envelope(Random random) {
        List<String> fields = new ArrayList<>();
        fields.add(field("op", pick(random, 12, "\"c\"", "\"r\"", "\"u\"", "\"d\"", "\"t\"", "\"c\"", "\"r\"",
                "\"u\"", "\"\\u0063\"", "\"x\"", "\"C\"", "\"cr\"", "\"\"", "null", "1", "[\"c\"]")));
        fields.add(field("table", "\"public.transactions\""));
        if (random.nextInt(4) != 0) {
            fields.add(field("after", afterValue(random)));
        }
        fields.add(field("before", pick(random, 3, "null", "{\"id\":1}", "{\"id\":1,\"amount\":5.00}", "[]")));
        if (random.nextInt(5) == 0) {
            fields.add(field("unchanged", pick(random, 2, "[\"amount\"]", "[\"note\",\"id\"]", "[]", "null")));
        }
        if (random.nextInt(3) != 0) {
            fields.add(field("source", "{\"commit_lsn\":\"0/1A2B3C4\",\"txid\":735,\"op\":\"d\","
                    + "\"commit_time\":\"2026-12-01T18:00:00.123456+00:00\",\"position\":" + random.nextInt(9) + "}"));
        }
        int oddities = random.nextInt(10);
        if (oddities == 0) {
            fields.add(field("id", idValue(random)));
        } else if (oddities == 1) {
            fields.add(field("amount", amountValue(random)));
        } else if (oddities == 2) {
            fields.add(field("after", afterValue(random)));
        } else if (oddities == 3) {
            fields.add(field("op", pick(random, 5, "\"c\"", "\"d\"", "\"u\"", "\"r\"", "\"t\"", "\"q\"")));
        }
        if (random.nextInt(4) == 0) {
            Collections.shuffle(fields, random); // op no longer first, usually
        }
        return wrap(random, object(random, fields));
    }

    private static String row(Random random) {
        List<String> fields = new ArrayList<>();
        if (random.nextInt(8) != 0) {
            fields.add(field("id", idValue(random)));
        }
        if (random.nextInt(8) != 0) {
            fields.add(field("amount", amountValue(random)));
        }
        if (random.nextBoolean()) {
            fields.add(field("op", pick(random, 3, "\"c\"", "\"d\"", "\"x\"", "null")));
        }
        if (random.nextBoolean()) {
            fields.add(field("created_at", "\"2026-12-01T18:00:00.123456+00:00\""));
        }
        Collections.shuffle(fields, random);
        return wrap(random, object(random, fields));
    }

    private static String afterValue(Random random) {
        int kind = random.nextInt(12);
        if (kind == 0) {
            return pick(random, 4, "null", "[]", "\"row\"", "1", "{}");
        }
        List<String> fields = new ArrayList<>();
        if (kind != 1) {
            fields.add(field("id", idValue(random)));
        }
        if (kind != 2) {
            fields.add(field("amount", amountValue(random)));
        }
        fields.add(field("created_at", "\"2026-12-01T18:00:00.123456+00:00\""));
        if (random.nextInt(3) == 0) {
            fields.add(field("doc", pick(random, 3, "{\"id\":\"x\",\"amount\":[1,{\"op\":\"c\"}]}", "[1,2,[3]]",
                    "{\"after\":null}", "true", "\"NaN\"")));
        }
        if (random.nextInt(12) == 0) {
            fields.add(field(random.nextBoolean() ? "id" : "amount",
                    random.nextBoolean() ? idValue(random) : amountValue(random)));
        }
        if (random.nextInt(3) == 0) {
            Collections.shuffle(fields, random);
        }
        return object(random, fields);
    }

    private static String idValue(Random random) {
        return pick(random, 6, "1", "7", "-0", "-42", "123456789012345678901234", "\"acc-7\"", "\" \"", "\"\"",
                "null", "1.5", "[1]", "{\"id\":1}", "true");
    }

    private static String amountValue(Random random) {
        return pick(random, 9, "1500.50", "-2500.00", "1072", "0.0", "1e2", "1.0E+4", "-1000.000001",
                "99999999999999999999.99", "\" 2.50 \"", "\"1500.50\"", "\"NaN\"", "\"Infinity\"", "\"lots\"",
                "null", "true", "{}", "[1500]");
    }

    /** Mostly one of the first {@code usual} choices, sometimes any. */
    private static String pick(Random random, int usual, String... choices) {
        return choices[random.nextInt(4) != 0 ? random.nextInt(Math.min(usual, choices.length))
                : random.nextInt(choices.length)];
    }

    private static String field(String name, String value) {
        return "\"" + name + "\":" + value;
    }

    private static String object(Random random, List<String> fields) {
        String separator = random.nextInt(10) == 0 ? " ,\n " : ",";
        return "{" + String.join(separator, fields) + "}";
    }

    /** Sometimes whitespace around it, sometimes a broken end. */
    private static String wrap(Random random, String json) {
        return switch (random.nextInt(40)) {
            case 0 -> " " + json + "\n";
            case 1 -> json + " {}";
            case 2 -> json.substring(0, json.length() - 1);
            case 3 -> json + "]";
            default -> json;
        };
    }
}
