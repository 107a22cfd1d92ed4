package io.wallaby.engine;

import io.wallaby.apps.AlertStateless;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApplicationLoaderTest {

    @Test
    void builtInApplicationsAreFoundByName() {
        assertInstanceOf(AlertStateless.class, ApplicationLoader.load("alert_stateless"));
    }

    @Test
    void otherApplicationsAreFoundByClassName() {
        assertInstanceOf(DoubleEcho.class, ApplicationLoader.load("io.wallaby.engine.DoubleEcho"));
    }

    @Test
    void anUnknownNameSaysWhatWasTried() {
        String message = assertThrows(IllegalArgumentException.class, () -> ApplicationLoader.load("alert_statefull"))
                .getMessage();
        assertTrue(message.contains("unknown application alert_statefull"), message);
        assertTrue(message.contains("[alert_stateless, velocity_alerts]"), message);
    }

    @Test
    void aClassThatIsNoApplicationIsRefused() {
        String message = assertThrows(IllegalArgumentException.class, () -> ApplicationLoader.load("java.lang.String"))
                .getMessage();
        assertTrue(message.contains("does not implement io.wallaby.api.Application"), message);
    }
}
