package io.wallaby.engine;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.Slices;
import org.junit.jupiter.api.Test;

import java.util.stream.StreamSupport;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * No package of the engine module depends on itself through others. Read from the compiled classes (ArchUnit),
 * so every dependency counts, not only imports: field and parameter types, calls, a fully qualified name in
 * code, a lambda's target. Each package is a slice of its own ({@code (**)} captures the whole package name),
 * so {@code io.wallaby.engine} and {@code io.wallaby.engine.source} using each other is a cycle as much as
 * {@code io.wallaby.api} and {@code io.wallaby.engine} would be. Test classes are left out: a test may reach
 * across packages to drive the engine from outside.
 */
class PackageCyclesTest {

    private static final String EVERY_PACKAGE = "io.wallaby.(**)";

    @Test
    void theEnginesPackagesFormNoCycle() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.wallaby.engine", "io.wallaby.api", "io.wallaby.apps");
        // A matcher that put several packages in one slice would not see the cycles between them.
        long packages = classes.stream().map(JavaClass::getPackageName).distinct().count();
        assertEquals(packages, StreamSupport.stream(Slices.matching(EVERY_PACKAGE).transform(classes).spliterator(),
                false).count(), "every package should be a slice of its own");
        slices().matching(EVERY_PACKAGE).should().beFreeOfCycles().check(classes);
    }
}
