package dev.hangar.provider.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.DeviceRequest;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.vm.ImageCatalog;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every KubeVirt and CDI object the provider writes, checked against KubeVirt's published API model:
 * the npm package {@code @kubevirt-ui-ext/kubevirt-api} (TypeScript types and {@code FromJSON}/{@code
 * ToJSON} functions generated from KubeVirt's and CDI's OpenAPI). It stands in for the API server's
 * schema validation, which the mock server does not do:
 *
 * <ul>
 *   <li>each object round-trips through {@code FromJSON}/{@code ToJSON} with no field lost, changed
 *       or added ({@code roundtrip.mjs}), so a misspelled or misplaced field fails (the one field
 *       newer than model 1.7.0, CDI's {@code source.http.checksum} of a catalog entry with a pinned
 *       digest, is not among these objects: the shipped catalog pins none; {@code
 *       KubevirtManifestsTest} checks its format and the real-API-server IT stores it);
 *   <li>each object type-checks as an object literal of its type ({@code tsc --noEmit --strict}), so
 *       a wrong value type or an unknown property fails too.
 * </ul>
 *
 * <p>The packages are installed with npm once per versions (the hash of {@code package.json}) under
 * {@code ~/.cache/hangar-test/kubevirt-api-<hash>}. Skipped only when {@code node} is not installed
 * (it says so); CI installs it. A self-check feeds a broken object and requires both checks to fail.
 */
class KubevirtApiModelTest {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    private static Path modelDir;

    @BeforeAll
    static void installTheApiModel() throws Exception {
        Assumptions.assumeTrue(
                nodeInstalled(),
                "node is not installed: skipping the KubeVirt API model check (apt-get install nodejs npm;"
                        + " .ci/run installs them)");
        byte[] packageJson = resource("package.json");
        String key = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(packageJson))
                .substring(0, 12);
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "hangar-test");
        modelDir = cache.resolve("kubevirt-api-" + key);
        if (!Files.isDirectory(modelDir.resolve("node_modules/@kubevirt-ui-ext/kubevirt-api"))
                || !Files.isRegularFile(modelDir.resolve("node_modules/typescript/bin/tsc"))) {
            Files.createDirectories(cache);
            Path staging = Files.createTempDirectory(cache, "kubevirt-api-staging-");
            Files.write(staging.resolve("package.json"), packageJson);
            Result npm = run(
                    staging,
                    List.of("npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock"),
                    300);
            assertThat(npm.exit())
                    .as("npm install in %s:\n%s", staging, npm.output())
                    .isZero();
            try {
                Files.move(staging, modelDir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // Another run installed it at the same time: use theirs.
                assertThat(modelDir.resolve("node_modules")).isDirectory();
            }
        }
        Files.write(modelDir.resolve("roundtrip.mjs"), resource("roundtrip.mjs"));
    }

    @Test
    void everyObjectTheProviderWritesRoundTripsAndTypeChecks(@TempDir Path dir) throws Exception {
        Map<String, HasMetadata> objects = writtenObjects();
        for (Map.Entry<String, HasMetadata> e : objects.entrySet()) {
            Files.writeString(dir.resolve(e.getKey() + ".json"), JSON.asJson(e.getValue()));
        }

        Result trip = run(modelDir, List.of("node", "roundtrip.mjs", dir.toString()), 120);
        assertThat(trip.exit()).as(trip.output()).isZero();
        assertThat(trip.output()).contains("round trip: " + objects.size() + " objects, 0 with differences");

        Result tsc = typeCheck(dir, objects);
        assertThat(tsc.exit()).as(tsc.output()).isZero();
    }

    @Test
    void aMisspelledOrMistypedFieldFailsBothChecks(@TempDir Path dir) throws Exception {
        GenericKubernetesResource vm = JSON.clone(manifests()
                .build(spec("selfcheck", Map.of()), PowerState.RUNNING)
                .virtualMachine());
        @SuppressWarnings("unchecked")
        Map<String, Object> spec =
                (Map<String, Object>) vm.getAdditionalProperties().get("spec");
        spec.put("runStrategyy", "Always");
        Files.writeString(dir.resolve("bad-vm.json"), JSON.asJson(vm));

        Result trip = run(modelDir, List.of("node", "roundtrip.mjs", dir.toString()), 120);
        assertThat(trip.exit()).as(trip.output()).isEqualTo(1);
        assertThat(trip.output()).contains("lost .spec.runStrategyy");

        Result tsc = typeCheck(dir, Map.of("bad-vm", vm));
        assertThat(tsc.exit()).as(tsc.output()).isNotZero();
        assertThat(tsc.output()).contains("runStrategyy");
    }

    /** @return the VirtualMachines and DataVolumes of every variant, as written (owned by the VM) */
    private static Map<String, HasMetadata> writtenObjects() {
        Map<String, HasMetadata> out = new LinkedHashMap<>();
        KubevirtManifests manifests = manifests();
        List<Variant> variants = List.of(
                new Variant("http-import", spec("imp", Map.of()), List.of()),
                new Variant(
                        "scheduling",
                        spec(
                                "sched",
                                Map.of(
                                        "eviction-strategy", "LiveMigrate",
                                        "node-selector.kubevirt.io/schedulable", "true",
                                        "tolerations", "dedicated=vm:NoSchedule,gpu")),
                        List.of()),
                new Variant("pvc-clone", spec("pvc", Map.of("source-pvc", "golden/debian-12")), List.of()),
                new Variant("data-source", spec("ds", Map.of("source-data-source", "os-images/fedora")), List.of()),
                new Variant(
                        "gpu",
                        spec("gpu", Map.of("node-selector.nvidia.com/gpu.present", "true")),
                        List.of(new DeviceRequest("nvidia.com/gpu", 2))),
                new Variant(
                        "host-device",
                        spec(
                                "hostdev",
                                Map.of(
                                        "device-kind.intel.com/qat", "hostDevice",
                                        "device-kind.nvidia.com/GA102GL_A10", "gpu")),
                        List.of(
                                new DeviceRequest("intel.com/qat", 1),
                                new DeviceRequest("nvidia.com/GA102GL_A10", 1))));
        for (Variant v : variants) {
            KubevirtObjects objects = manifests.build(v.spec(), v.devices(), PowerState.RUNNING);
            GenericKubernetesResource live = JSON.clone(objects.virtualMachine());
            live.getMetadata().setUid("6f1c1f2e-0000-4000-8000-00000000a001");
            KubevirtObjects owned = objects.ownedBy(live);
            out.put(v.name() + "-vm", owned.virtualMachine());
            out.put(
                    v.name() + "-vm-halted",
                    owned.withRunStrategy(KubevirtManifests.RUN_HALTED).virtualMachine());
            out.put(v.name() + "-dv", owned.rootDisk());
        }
        KubevirtManifests registry = new KubevirtManifests(
                VmSpecs.settings(Map.of("storage-class", "ceph-block")),
                ImageCatalog.parse("""
                        images:
                          - name: fedora-42
                            url: https://example.invalid/fedora.qcow2
                            sha256: %s
                            registry: docker://quay.example/containerdisks/fedora:42
                        """.formatted("ab".repeat(32)), "test"));
        WorkspaceSpec fedora = VmSpecs.spec("alice", "reg", "fedora-42", Map.of(), CloudInitConfig.EMPTY);
        out.put("registry-import-dv", registry.build(fedora, PowerState.RUNNING).rootDisk());
        return out;
    }

    /** One kind of workspace the provider writes objects for. */
    private record Variant(String name, WorkspaceSpec spec, List<DeviceRequest> devices) {}

    private static KubevirtManifests manifests() {
        return new KubevirtManifests(VmSpecs.settings(Map.of("storage-class", "fast-ssd")), ImageCatalog.shipped());
    }

    private static WorkspaceSpec spec(String name, Map<String, String> settings) {
        return VmSpecs.spec("alice", name, "debian-12", settings, CloudInitConfig.EMPTY);
    }

    /** Writes each object as a typed constant of a TypeScript module and runs {@code tsc --noEmit --strict}. */
    private static Result typeCheck(Path dir, Map<String, ? extends HasMetadata> objects)
            throws IOException, InterruptedException {
        StringBuilder ts = new StringBuilder();
        ts.append("import type { V1VirtualMachine } from '@kubevirt-ui-ext/kubevirt-api/kubevirt';\n");
        ts.append("import type { V1beta1DataVolume } from"
                + " '@kubevirt-ui-ext/kubevirt-api/containerized-data-importer';\n");
        int i = 0;
        for (Map.Entry<String, ? extends HasMetadata> e : objects.entrySet()) {
            String type = e.getValue().getKind().equals("VirtualMachine") ? "V1VirtualMachine" : "V1beta1DataVolume";
            ts.append("// ").append(e.getKey()).append('\n');
            ts.append("export const o").append(i++).append(": ").append(type).append(" = ");
            ts.append(JSON.asJson(e.getValue())).append(";\n");
        }
        Path check = modelDir.resolve("check-" + dir.getFileName() + ".mts");
        Files.writeString(check, ts.toString());
        try {
            return run(
                    modelDir,
                    List.of(
                            "node",
                            "node_modules/typescript/bin/tsc",
                            "--noEmit",
                            "--strict",
                            "--target",
                            "es2022",
                            "--module",
                            "nodenext",
                            "--moduleResolution",
                            "nodenext",
                            check.getFileName().toString()),
                    180);
        } finally {
            Files.deleteIfExists(check);
        }
    }

    private record Result(int exit, String output) {}

    private static Result run(Path dir, List<String> command, long timeoutSeconds)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static boolean nodeInstalled() {
        try {
            return run(Path.of("."), List.of("node", "--version"), 30).exit() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = KubevirtApiModelTest.class.getResourceAsStream("/kubevirt-api/" + name)) {
            if (in == null) throw new IllegalStateException("test resource kubevirt-api/" + name + " is missing");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
