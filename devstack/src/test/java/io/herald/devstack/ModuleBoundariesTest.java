package io.herald.devstack;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Herald's module boundaries, checked on the main classes of every module (devstack's test classpath has them all;
 * no test classes are imported):
 *
 * <ul>
 *   <li>a service ({@code io.herald.gateway}, {@code token}, {@code dispatch}, {@code fanout}) depends, of
 *       Herald's code, only on itself, the contract ({@code io.herald.events}, common-events) and the shared Spring
 *       module ({@code io.herald.spring}, herald-spring): never on another service, never on testkit or devstack;
 *   <li>herald-spring depends only on the contract;
 *   <li>the contract depends on no other Herald module and on no Spring or servlet class: any JVM producer or
 *       consumer can use it.
 * </ul>
 *
 * A rule whose classes are missing fails too (ArchUnit's default), so a renamed package cannot make it pass
 * vacuously.
 */
@AnalyzeClasses(packages = "io.herald", importOptions = ImportOption.DoNotIncludeTests.class)
class ModuleBoundariesTest {

    private static final String CONTRACT = "io.herald.events..";
    private static final String SHARED = "io.herald.spring..";

    @ArchTest
    static final ArchRule gatewayDependsOnlyOnTheContractAndTheSharedModule = service("io.herald.gateway..");

    @ArchTest
    static final ArchRule tokenServiceDependsOnlyOnTheContractAndTheSharedModule = service("io.herald.token..");

    @ArchTest
    static final ArchRule dispatchDependsOnlyOnTheContractAndTheSharedModule = service("io.herald.dispatch..");

    @ArchTest
    static final ArchRule wsFanoutDependsOnlyOnTheContractAndTheSharedModule = service("io.herald.fanout..");

    @ArchTest
    static final ArchRule mainCodeNeverUsesTheTestkit = noClasses()
            .that()
            .resideOutsideOfPackages("io.herald.testkit..", "io.herald.devstack..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.herald.testkit..")
            .because("the testkit (in-process Kafka, embedded PostgreSQL, provider emulators) is for tests and the"
                    + " dev stack, and is not in the services' images");

    @ArchTest
    static final ArchRule theSharedModuleDependsOnlyOnTheContract = classes()
            .that()
            .resideInAPackage(SHARED)
            .should()
            .onlyDependOnClassesThat(resideOutsideOfPackage("io.herald..").or(resideInAnyPackage(SHARED, CONTRACT)))
            .because("herald-spring is what every service shares, so it can know no service");

    @ArchTest
    static final ArchRule theContractDependsOnNoOtherHeraldModule = classes()
            .that()
            .resideInAPackage(CONTRACT)
            .should()
            .onlyDependOnClassesThat(resideOutsideOfPackage("io.herald..").or(resideInAPackage(CONTRACT)))
            .because("common-events is the contract every module shares");

    @ArchTest
    static final ArchRule theContractUsesNoSpring = noClasses()
            .that()
            .resideInAPackage(CONTRACT)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.springframework..", "jakarta.servlet..")
            .because("common-events is a plain jar that any JVM producer or consumer can use;"
                    + " Herald's Spring wiring is in herald-spring");

    private static ArchRule service(String service) {
        return classes()
                .that()
                .resideInAPackage(service)
                .should()
                .onlyDependOnClassesThat(
                        resideOutsideOfPackage("io.herald..").or(resideInAnyPackage(service, CONTRACT, SHARED)))
                .because("a service depends only on the contract (common-events) and the shared Spring module"
                        + " (herald-spring): never on another service, nor on the testkit");
    }
}
