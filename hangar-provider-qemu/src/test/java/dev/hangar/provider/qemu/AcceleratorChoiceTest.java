package dev.hangar.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe reads /dev/kvm and /sys/module. A test cannot change the host's KVM, so the host
 * layouts are reproduced in a temporary directory (a regular file stands in for the device node;
 * the probe only checks access rights).
 */
class AcceleratorChoiceTest {
    @TempDir
    Path root;

    @Test
    void explicitChoicesAreTakenAsConfigured() {
        assertThat(AcceleratorChoice.resolve(Accelerator.TCG, root.resolve("kvm"), root)
                        .accelerator())
                .isEqualTo(Accelerator.TCG);
        assertThat(AcceleratorChoice.resolve(Accelerator.KVM, root.resolve("kvm"), root)
                        .accelerator())
                .isEqualTo(Accelerator.KVM);
    }

    @Test
    void autoFallsBackToTcgWithoutKvm() {
        AcceleratorChoice c =
                AcceleratorChoice.resolve(Accelerator.AUTO, root.resolve("dev/kvm"), root.resolve("sys/module"));
        assertThat(c.accelerator()).isEqualTo(Accelerator.TCG);
        assertThat(c.reason()).contains("is missing");
    }

    @Test
    void autoRefusesPvmOnlyKvm() throws Exception {
        Path kvm = Files.createFile(root.resolve("kvm"));
        Path modules = Files.createDirectories(root.resolve("module"));
        Files.createDirectories(modules.resolve("kvm"));
        Files.createDirectories(modules.resolve("kvm_pvm"));

        AcceleratorChoice c = AcceleratorChoice.resolve(Accelerator.AUTO, kvm, modules);
        assertThat(c.accelerator()).isEqualTo(Accelerator.TCG);
        assertThat(c.reason()).contains("kvm_pvm");

        Files.createDirectories(modules.resolve("kvm_intel"));
        assertThat(AcceleratorChoice.resolve(Accelerator.AUTO, kvm, modules).accelerator())
                .isEqualTo(Accelerator.KVM);
    }
}
