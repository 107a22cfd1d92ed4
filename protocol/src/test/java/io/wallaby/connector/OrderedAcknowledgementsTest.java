package io.wallaby.connector;

import io.wallaby.protocol.Frame;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the listener is told when two reader threads (the old and the new engine of a stream) race to tell
 * it: the interleaving that {@link SourceClusterTest} cannot force over TCP, played directly.
 */
class OrderedAcknowledgementsTest {

    @Test
    void eachStreamsPointOnlyGoesUpAndAStreamOpenedAgainStartsAfresh() {
        List<String> told = new ArrayList<>();
        OrderedAcknowledgements acknowledgements = new OrderedAcknowledgements((s, p) -> told.add(s + "@" + p));
        OpenStream s = new OpenStream("s", 1);
        OpenStream t = new OpenStream("t", 2);
        acknowledgements.tell(s, 5);
        acknowledgements.tell(s, 3); // the old owner's reader, late
        acknowledgements.tell(t, 1);
        acknowledgements.tell(s, 5);
        acknowledgements.tell(s, 7);
        acknowledgements.tell(s, Frame.U64_MAX); // "none" is never above a point
        OpenStream again = new OpenStream("s", 1);
        acknowledgements.tell(again, 2);
        assertEquals(List.of("s@5", "t@1", "s@7", "s@2"), told);
    }
}
