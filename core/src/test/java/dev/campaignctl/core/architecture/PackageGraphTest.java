package dev.campaignctl.core.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The core's packages form a one-way graph a newcomer can read from the leaves up: no cycle between
 * them, nothing of the server or the CLI, the error vocabulary a leaf with no HTTP meaning, and
 * HTTP only in the packages that speak it.
 */
class PackageGraphTest {

    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.campaignctl.core");
    }

    @Test
    void noCycleBetweenCorePackages() {
        slices().matching("dev.campaignctl.core.(*)..").should().beFreeOfCycles().check(core);
    }

    @Test
    void coreUsesNeitherServerNorCli() {
        noClasses().that().resideInAPackage("dev.campaignctl.core..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.campaignctl.server..", "dev.campaignctl.cli..")
                .check(core);
    }

    @Test
    void errorVocabularyIsALeafWithoutHttp() {
        classes().that().resideInAPackage("dev.campaignctl.core.error..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(
                        "dev.campaignctl.core.error..", "java..", "com.fasterxml.jackson.annotation..")
                .check(core);
    }

    @Test
    void onlyTheHttpPackagesSpeakHttp() {
        noClasses().that().resideOutsideOfPackages("dev.campaignctl.core.http..", "dev.campaignctl.core.client..",
                        "dev.campaignctl.core.ai..")
                .should().dependOnClassesThat().resideInAnyPackage("java.net.http..")
                .check(core);
    }
}
