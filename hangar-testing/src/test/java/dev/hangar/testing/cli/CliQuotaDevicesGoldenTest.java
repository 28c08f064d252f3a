package dev.hangar.testing.cli;

import dev.hangar.cli.CliHarness;
import dev.hangar.core.domain.Role;
import dev.hangar.core.quota.QuotaLimits;
import dev.hangar.core.quota.QuotaPolicy;
import dev.hangar.testing.TestControlPlane;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device quotas in the CLI (issue #19's gaps): {@code hangar quota show} lists device limits and
 * use next to cpus and memory (table, json, yaml), {@code hangar quota set --device NAME=N} sets a
 * per-user device limit and {@code NAME=role} drops it, and {@code hangar create --device NAME=0}
 * asks for none of a device the template gives by default.
 */
class CliQuotaDevicesGoldenTest {
    private TestControlPlane cp;

    @TempDir
    Path home;

    @TempDir
    Path serverHome;

    @BeforeEach
    void start() throws IOException {
        Files.createDirectories(serverHome.resolve("templates"));
        Files.writeString(serverHome.resolve("templates/gpu-fake.yaml"), """
                name: gpu-fake
                description: a fake workspace with a GPU by default
                provider: fake
                image: fake-image
                defaults: {cpus: 1, memoryMiB: 512, diskGiB: 1}
                limits:
                  cpus: {min: 1, max: 8}
                  memoryMiB: {min: 128, max: 16384}
                  diskGiB: {min: 1, max: 100}
                devices:
                  - {name: nvidia.com/gpu, count: 1, min: 0, max: 2}
                  - {name: example.com/fpga, count: 1, min: 1, max: 1}
                """);
        cp = TestControlPlane.builder()
                .home(serverHome)
                .configure(c -> c.withQuotas(new QuotaPolicy(
                        Map.of(Role.MEMBER, QuotaLimits.UNLIMITED.withDevices(Map.of("nvidia.com/gpu", 1))))))
                .start();
    }

    @AfterEach
    void stop() {
        cp.close();
    }

    private CliHarness as(String token) {
        return new CliHarness(home).env("HANGAR_URL", cp.baseUri().toString()).env("HANGAR_TOKEN", token);
    }

    @Test
    void deviceLimitsAreShownSetAndDropped() {
        CliHarness bea = as(cp.createUser("bea", Role.MEMBER).token());
        CliHarness admin = as(cp.adminToken());
        Golden g = new Golden(bea);
        g.note("the role limits GPUs to 1; the template gives one GPU and one FPGA by default");
        g.run("quota", "show");
        g.run("create", "one", "--template", "gpu-fake");
        g.note("devices in use are listed, limited or not");
        g.run("quota", "show");
        g.run("create", "two", "--template", "gpu-fake");
        g.note("0 of the GPU (the template's minimum is 0) asks for none; the FPGA's minimum is 1");
        g.run("create", "two", "--template", "gpu-fake", "--device", "nvidia.com/gpu=0");
        g.run("create", "three", "--template", "gpu-fake", "--device", "example.com/fpga=0");
        g.note("an admin gives bea 2 GPUs and no FPGA; NAME=role drops one device's override");
        g.as(admin).run("quota", "set", "bea", "--device", "nvidia.com/gpu=2", "--device", "example.com/fpga=0");
        g.run("quota", "show", "bea");
        g.run("quota", "show", "bea", "-o", "yaml");
        g.run("quota", "set", "bea", "--device", "example.com/fpga=role");
        g.run("quota", "show", "bea", "-o", "json");
        g.note("bad input");
        g.run("quota", "set", "bea", "--device", "nvidia.com/gpu");
        g.run("quota", "set", "bea", "--device", "nvidia.com/gpu=-1");
        g.run("quota", "set", "bea", "--device", "gpu=1");
        g.run("quota", "set", "bea", "--device", "nvidia.com/gpu=1", "--device", "nvidia.com/gpu=2");
        g.note("the last device dropped: no override is left");
        g.run("quota", "set", "bea", "--device", "nvidia.com/gpu=role");
        g.run("quota", "show", "bea");
        g.assertMatches("quota-devices");
    }
}
