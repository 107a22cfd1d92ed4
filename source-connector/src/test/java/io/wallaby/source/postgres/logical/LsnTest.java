package io.wallaby.source.postgres.logical;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LsnTest {

    @Test
    void parsesAndFormatsThePostgresTextForm() {
        assertEquals(0x16B3748L, Lsn.parse("0/16B3748"));
        assertEquals(0x1_0000_0000L, Lsn.parse("1/0"));
        assertEquals(0xFFL << 32 | 0xABCDEFL, Lsn.parse("ff/abcdef"));
        assertEquals("0/16B3748", Lsn.format(0x16B3748L));
        assertEquals("1/0", Lsn.format(0x1_0000_0000L));
        assertEquals("FF/ABCDEF", Lsn.format(Lsn.parse("ff/abcdef")));
        assertEquals("0/0", Lsn.format(Lsn.INVALID));
        assertEquals("7FFFFFFF/FFFFFFFF", Lsn.format(Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE, Lsn.parse("7FFFFFFF/FFFFFFFF"));
    }

    @Test
    void nullIsNoPosition() {
        assertEquals(Lsn.INVALID, Lsn.parseNullable(null));
    }

    @Test
    void refusesWhatIsNotAnLsn() {
        for (String bad : new String[]{"", "/", "0/", "/0", "16B3748", "0/-1", "+1/0", "1/2/3", "123456789/0",
                "0/g", " 0/1"}) {
            assertThrows(IllegalArgumentException.class, () -> Lsn.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Lsn.parse(null));
    }
}
