package io.wallaby.kafkabroker;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

/**
 * {@link KafkaBrokerProcess} uses the JDK only, so a module can depend on wallaby-kafka-broker with every transitive
 * dependency excluded (no Kafka, Scala or picocli on its classpath) and still start a broker.
 */
class KafkaBrokerProcessDependenciesTest {

    private static final String SELF = KafkaBrokerProcess.class.getName();

    @Test
    void kafkaBrokerProcessNeedsOnlyTheJdk() {
        JavaClasses imported = new ClassFileImporter().importClasses(KafkaBrokerProcess.class);
        DescribedPredicate<JavaClass> jdkOrItself = DescribedPredicate.describe("the JDK or KafkaBrokerProcess", type -> {
            JavaClass base = type.getBaseComponentType();
            return base.isPrimitive() || base.getPackageName().startsWith("java.")
                    || base.getName().equals(SELF) || base.getName().startsWith(SELF + "$");
        });
        classes().that().haveNameMatching(SELF.replace(".", "\\.") + "(\\$.*)?")
                .should().onlyDependOnClassesThat(jdkOrItself)
                .check(imported);
    }
}
