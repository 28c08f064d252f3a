package dev.hangar.dist;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of docs/architecture.md, checked on the compiled main classes of every
 * module (this module's class path holds them all).
 */
class ModuleBoundariesTest {
    private static JavaClasses hangar;

    @BeforeAll
    static void importClasses() {
        hangar = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.hangar");
    }

    @Test
    void theProviderSpiDependsOnTheJdkOnly() {
        classes()
                .that()
                .resideInAPackage("dev.hangar.provider.spi..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "dev.hangar.provider.spi..")
                .check(hangar);
    }

    @Test
    void providersSeeOnlyTheSpi() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "dev.hangar.provider.qemu..",
                        "dev.hangar.provider.kubernetes..",
                        "dev.hangar.provider.kubevirt..",
                        "dev.hangar.provider.docker..",
                        "dev.hangar.provider.ssh..",
                        "dev.hangar.provider.vm..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.hangar.core..",
                        "dev.hangar.store..",
                        "dev.hangar.server..",
                        "dev.hangar.gateway..",
                        "dev.hangar.cli..",
                        "dev.hangar.api..")
                .check(hangar);
        noClasses()
                .that()
                .resideInAPackage("dev.hangar.provider.qemu..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.hangar.provider.kubernetes..",
                        "dev.hangar.provider.kubevirt..",
                        "dev.hangar.provider.docker..")
                .check(hangar);
        noClasses()
                .that()
                .resideInAPackage("dev.hangar.provider.kubernetes..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.hangar.provider.qemu..",
                        "dev.hangar.provider.docker..",
                        "dev.hangar.provider.kubevirt..",
                        "dev.hangar.provider.vm..")
                .check(hangar);
        noClasses()
                .that()
                .resideInAPackage("dev.hangar.provider.docker..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.hangar.provider.qemu..",
                        "dev.hangar.provider.kubernetes..",
                        "dev.hangar.provider.kubevirt..")
                .check(hangar);
    }

    /**
     * The kubevirt provider reuses the Pod provider's cluster access, names, labels and appliers, and
     * the VM providers' shared image catalog and cloud-init renderer; it never sees the qemu or docker
     * provider.
     */
    @Test
    void theKubevirtProviderBuildsOnTheKubernetesOneAndTheSharedVmSupportOnly() {
        noClasses()
                .that()
                .resideInAPackage("dev.hangar.provider.kubevirt..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.hangar.provider.qemu..", "dev.hangar.provider.docker..")
                .check(hangar);
    }

    /** The shared VM support (image catalog, cloud-init) sees the SPI only: no provider, no SSH. */
    @Test
    void theSharedVmSupportSeesNoProvider() {
        noClasses()
                .that()
                .resideInAPackage("dev.hangar.provider.vm..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.hangar.provider.qemu..",
                        "dev.hangar.provider.kubernetes..",
                        "dev.hangar.provider.kubevirt..",
                        "dev.hangar.provider.docker..",
                        "dev.hangar.provider.ssh..")
                .check(hangar);
    }

    @Test
    void theProviderSshSupportSeesNoProvider() {
        noClasses()
                .that()
                .resideInAPackage("dev.hangar.provider.ssh..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.hangar.provider.qemu..",
                        "dev.hangar.provider.kubernetes..",
                        "dev.hangar.provider.kubevirt..",
                        "dev.hangar.provider.docker..",
                        "dev.hangar.provider.vm..")
                .check(hangar);
    }

    /**
     * The server finds providers with {@link java.util.ServiceLoader} and talks to them through the
     * SPI only (images too, through {@code WorkspaceImages}): no provider's own class, not even its
     * factory.
     */
    @Test
    void theServerSeesNoProviderInternals() {
        noClasses()
                .that()
                .resideInAPackage("dev.hangar.server..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.hangar.provider.qemu..",
                        "dev.hangar.provider.kubernetes..",
                        "dev.hangar.provider.kubevirt..",
                        "dev.hangar.provider.vm..",
                        "dev.hangar.provider.docker..",
                        "dev.hangar.provider.ssh..")
                .check(hangar);
    }

    @Test
    void theCliAndApiNeverLinkTheServerSide() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.hangar.cli..", "dev.hangar.api..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.hangar.core..",
                        "dev.hangar.store..",
                        "dev.hangar.server..",
                        "dev.hangar.gateway..",
                        "dev.hangar.provider..")
                .check(hangar);
    }

    @Test
    void coreKnowsOnlyTheSpi() {
        noClasses()
                .that()
                .resideInAPackage("dev.hangar.core..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.hangar.store..",
                        "dev.hangar.server..",
                        "dev.hangar.gateway..",
                        "dev.hangar.cli..",
                        "dev.hangar.api..",
                        "dev.hangar.provider.qemu..",
                        "dev.hangar.provider.kubernetes..",
                        "dev.hangar.provider.kubevirt..",
                        "dev.hangar.provider.vm..",
                        "dev.hangar.provider.docker..",
                        "dev.hangar.usbip..")
                .check(hangar);
    }

    @Test
    void storeAndGatewayStayBelowTheServer() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.hangar.store..", "dev.hangar.gateway..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.hangar.server..",
                        "dev.hangar.cli..",
                        "dev.hangar.provider.qemu..",
                        "dev.hangar.provider.kubernetes..",
                        "dev.hangar.provider.kubevirt..",
                        "dev.hangar.provider.docker..")
                .check(hangar);
        noClasses()
                .that()
                .resideInAPackage("dev.hangar.store..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.hangar.gateway..")
                .check(hangar);
    }

    @Test
    void usbipIsSelfContained() {
        classes()
                .that()
                .resideInAPackage("dev.hangar.usbip..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "dev.hangar.usbip..", "org.slf4j..", "com.fasterxml.jackson..")
                .check(hangar);
    }

    @Test
    void testFixturesDependOnNothingOfOursAndNothingShippedDependsOnThem() {
        classes()
                .that()
                .resideInAPackage("dev.hangar.testfixtures..")
                .should()
                .onlyDependOnClassesThat()
                // commons-compress: LocalRegistry packs devcontainer features as tar layers (a library,
                // not code of ours, so the fixtures still stand alone)
                .resideInAnyPackage(
                        "java..",
                        "dev.hangar.testfixtures..",
                        "org.junit..",
                        "org.awaitility..",
                        "org.apache.commons.compress..")
                .check(hangar);
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.hangar.testfixtures..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.hangar.testfixtures..")
                .check(hangar);
    }

    /**
     * The NoCloud seed writer is shared by the qemu provider and the CLI, so it sees nothing of
     * ours; the boards module (renderers, FAT writer, inventory) sees only it, so the CLI can ship it
     * without any server or provider code.
     */
    @Test
    void noCloudAndBoardsStandAlone() {
        classes()
                .that()
                .resideInAPackage("dev.hangar.nocloud..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "dev.hangar.nocloud..", "com.github.stephenc.javaisotools..")
                .check(hangar);
        classes()
                .that()
                .resideInAPackage("dev.hangar.boards..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(
                        "java..",
                        "dev.hangar.boards..",
                        "dev.hangar.nocloud..",
                        "com.fasterxml.jackson..",
                        "de.waldheinz.fs..",
                        "org.apache.commons.codec..")
                .check(hangar);
    }

    @Test
    void noImplSuffix() {
        noClasses().should().haveSimpleNameEndingWith("Impl").check(hangar);
    }
}
