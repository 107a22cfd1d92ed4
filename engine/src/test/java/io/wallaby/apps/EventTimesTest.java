package io.wallaby.apps;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EventTimesTest {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

    @Test
    void readsWhatPostgresPrintsToTheMillisecondFlooringTheRest() {
        assertEquals(Instant.parse("2026-12-01T18:00:00.123Z").toEpochMilli(),
                EventTimes.epochMillis("2026-12-01T18:00:00.123456+00:00"));
        assertEquals(Instant.parse("2026-12-01T16:30:05Z").toEpochMilli(),
                EventTimes.epochMillis("2026-12-01T18:00:05+01:30"));
        assertEquals(Instant.parse("1969-12-31T23:59:59.999Z").toEpochMilli(),
                EventTimes.epochMillis("1969-12-31T23:59:59.9999+00:00"));
        assertEquals(Instant.parse("2026-12-01T18:00:00Z").toEpochMilli(), EventTimes.epochMillis("2026-12-01T18:00:00Z"));
        assertEquals(Instant.parse("2026-12-01T18:00:00Z").toEpochMilli(),
                EventTimes.epochMillis("2026-12-01 18:00:00+00:00"));
    }

    @Test
    void agreesWithJavaTimeOnRandomInstantsOffsetsAndFractions() {
        Random random = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong() % 4_000_000_000L, random.nextInt(1_000_000_000));
            ZoneOffset offset = ZoneOffset.ofTotalSeconds((random.nextInt(37) - 18) * 1800);
            int digits = random.nextInt(10);
            String text = SECONDS.format(OffsetDateTime.ofInstant(instant, offset))
                    + (digits == 0 ? "" : "." + String.format("%09d", instant.getNano()).substring(0, digits))
                    + (offset.getTotalSeconds() == 0 && random.nextBoolean() ? "+00:00" : offset.getId().equals("Z")
                    ? "+00:00" : offset.getId());
            long expected = OffsetDateTime.parse(text).toInstant().truncatedTo(ChronoUnit.MILLIS).toEpochMilli();
            assertEquals(expected, EventTimes.epochMillis(text), text);
        }
    }

    @Test
    void refusesWhatIsNoTimestampWithAnOffset() {
        for (String bad : new String[] {"2026-12-01T18:00:00", "2026-02-30T18:00:00+00:00", "yesterday",
                "2026-12-01T25:00:00+00:00"}) {
            assertThrows(DateTimeParseException.class, () -> EventTimes.epochMillis(bad), bad);
        }
    }
}
