package io.wallaby.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Folders a demo run keeps under the checkout's {@code .wallaby}, emptied at the start of each run. */
final class DemoFolders {

    private DemoFolders() {
    }

    /** {@code home/relative}, created empty: the last run's state or topics are not this run's. */
    static Path fresh(Path home, String relative) throws IOException {
        Path dir = home.resolve(relative).toAbsolutePath().normalize();
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }
}
