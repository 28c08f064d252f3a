package dev.hangar.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.WorkspaceSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The pure manifest builder: no cluster involved. */
class WorkspaceManifestsTest {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");

    private final WorkspaceManifests manifests = new WorkspaceManifests(Specs.settings(Map.of()));

    @Test
    void everyObjectCarriesTheStandardLabelsAndNamespace() {
        WorkspaceSpec spec = Specs.spec("alice", "fw-dev", Map.of());
        WorkspaceObjects objects = manifests.build(spec, PowerState.RUNNING);

        for (HasMetadata object : objects.all()) {
            assertThat(object.getMetadata().getNamespace()).isEqualTo("hangar-test");
            assertThat(object.getMetadata().getLabels())
                    .containsEntry("app.kubernetes.io/name", "hangar-workspace")
                    .containsEntry("app.kubernetes.io/instance", "ws-alice-fw-dev")
                    .containsEntry("app.kubernetes.io/managed-by", "hangar")
                    .containsEntry("hangar.dev/workspace-id", spec.id())
                    .containsEntry("hangar.dev/owner", "alice");
        }
        StatefulSet sts = objects.statefulSet();
        assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(sts.getSpec().getSelector().getMatchLabels());
        assertThat(objects.service().getSpec().getSelector())
                .isEqualTo(sts.getSpec().getSelector().getMatchLabels());
        assertThat(objects.statefulSet().getMetadata().getName()).isEqualTo("ws-alice-fw-dev");
        assertThat(objects.sshSecret().getMetadata().getName()).isEqualTo("ws-alice-fw-dev-ssh");
        assertThat(objects.homeClaim().getMetadata().getName()).isEqualTo("ws-alice-fw-dev-home");
    }

    @Test
    void powerStateIsTheReplicaCount() {
        WorkspaceSpec spec = Specs.spec(Map.of());
        assertThat(manifests
                        .build(spec, PowerState.RUNNING)
                        .statefulSet()
                        .getSpec()
                        .getReplicas())
                .isEqualTo(1);
        assertThat(manifests
                        .build(spec, PowerState.STOPPED)
                        .statefulSet()
                        .getSpec()
                        .getReplicas())
                .isEqualTo(0);
    }

    @Test
    void podIsNonRootWithoutPrivilegesOrServiceAccountToken() {
        PodSpec pod = podSpec(manifests.build(Specs.spec(Map.of()), PowerState.RUNNING));
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(1000L);
        assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(1000L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getEnableServiceLinks()).isFalse();
        Container c = pod.getContainers().getFirst();
        assertThat(c.getSecurityContext().getPrivileged()).isFalse();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getSecurityContext().getCapabilities().getAdd()).isEmpty();
        assertThat(c.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getVolumes()).extracting(Volume::getHostPath).containsOnlyNulls();
    }

    @Test
    void runAsUserFollowsTheProviderSetting() {
        WorkspaceManifests custom = new WorkspaceManifests(Specs.settings(Map.of("run-as-user", "4242")));
        PodSpec pod = podSpec(custom.build(Specs.spec(Map.of()), PowerState.RUNNING));
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(4242L);
        assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(4242L);
    }

    @Test
    void homeVolumeIsMountedAtStorageWithHomeOneLevelBelow() {
        WorkspaceSpec spec = Specs.spec("bob", "box", Map.of());
        WorkspaceObjects objects = manifests.build(spec, PowerState.RUNNING);
        PodSpec pod = podSpec(objects);
        Container c = pod.getContainers().getFirst();

        assertThat(mount(c, "/storage")).hasValueSatisfying(m -> {
            assertThat(m.getReadOnly()).isNull();
            Volume v = volume(pod, m.getName());
            assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("ws-bob-box-home");
        });
        assertThat(mount(c, "/home/bob")).isEmpty();
        assertThat(env(c, "HOME")).isEqualTo("/storage/home/bob");
        assertThat(env(c, "HANGAR_USER")).isEqualTo("bob");
        assertThat(objects.homeClaim().getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(objects.homeClaim()
                        .getSpec()
                        .getResources()
                        .getRequests()
                        .get("storage")
                        .toString())
                .isEqualTo("16Gi");
        assertThat(objects.homeClaim().getSpec().getStorageClassName()).isNull();
    }

    @Test
    void sshSecretHoldsAuthorizedKeysAndTheHangarHostKeyMountedReadOnly() {
        WorkspaceSpec spec = Specs.spec(Map.of());
        WorkspaceObjects objects = manifests.build(spec, PowerState.RUNNING);
        Map<String, String> data = objects.sshSecret().getData();

        assertThat(data)
                .containsOnlyKeys(
                        "authorized_keys",
                        "ssh_host_ed25519_key",
                        "ssh_host_ed25519_key.pub",
                        "ssh_host_ed25519_key-cert.pub");
        assertThat(decode(data.get("authorized_keys"))).isEqualTo(Specs.USER_KEY + "\n");
        assertThat(decode(data.get("ssh_host_ed25519_key"))).isEqualTo(Specs.HOST_KEY.privateKeyOpenSsh());
        assertThat(decode(data.get("ssh_host_ed25519_key.pub"))).isEqualTo(Specs.HOST_KEY.publicKey() + "\n");
        // the core's certificate, byte for byte, where the image's entrypoint looks for it
        assertThat(decode(data.get("ssh_host_ed25519_key-cert.pub"))).isEqualTo(Specs.HOST_CERTIFICATE + "\n");
        PodSpec pod = podSpec(objects);
        VolumeMount m = mount(pod.getContainers().getFirst(), "/etc/hangar/ssh").orElseThrow();
        assertThat(m.getReadOnly()).isTrue();
        assertThat(volume(pod, m.getName()).getSecret().getSecretName()).isEqualTo("ws-alice-" + spec.name() + "-ssh");
        assertThat(volume(pod, m.getName()).getSecret().getDefaultMode()).isEqualTo(0440);
    }

    @Test
    void changedKeysChangeThePodTemplateSoThePodRolls() {
        WorkspaceSpec spec = Specs.spec(Map.of());
        WorkspaceSpec moreKeys = new WorkspaceSpec(
                spec.id(),
                spec.name(),
                spec.owner(),
                spec.template(),
                spec.resources(),
                spec.image(),
                spec.sshUser(),
                List.of(Specs.USER_KEY, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAISecondKey alice@desk"),
                spec.hostKey(),
                spec.hostCertificate(),
                spec.cloudInit(),
                spec.settings());
        String before = annotation(manifests.build(spec, PowerState.RUNNING));
        assertThat(annotation(manifests.build(spec, PowerState.RUNNING))).isEqualTo(before);
        assertThat(annotation(manifests.build(moreKeys, PowerState.RUNNING))).isNotEqualTo(before);
    }

    @Test
    void withoutConfiguredSecretsOnlyTheWorkspacesOwnSecretIsProjectedIntoVarSecrets() {
        WorkspaceSpec spec = Specs.spec(Map.of());
        PodSpec pod = podSpec(manifests.build(spec, PowerState.RUNNING));
        VolumeMount m = mount(pod.getContainers().getFirst(), "/var/secrets").orElseThrow();
        assertThat(m.getReadOnly()).isTrue();
        assertThat(volume(pod, m.getName()).getProjected().getSources())
                .extracting(s -> s.getSecret().getName())
                .containsExactly(WorkspaceNames.of(spec.owner(), spec.name()).userSecrets());
        assertThat(volume(pod, m.getName()).getProjected().getDefaultMode()).isEqualTo(0440);
    }

    @Test
    void theOwnersSecretsBecomeTheUserSecretsSecretAndNeverThePodTemplate() {
        String value = "k8s-unit-secret-value";
        WorkspaceSpec plain = Specs.spec(Map.of());
        WorkspaceSpec spec = plain.withSecrets(List.of(
                new dev.hangar.provider.spi.SecretFile(
                        "github-token", value.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                new dev.hangar.provider.spi.SecretFile("id_ed25519", new byte[] {0, (byte) 0xff})));
        WorkspaceObjects objects = manifests.build(spec, PowerState.RUNNING);
        WorkspaceNames names = WorkspaceNames.of(spec.owner(), spec.name());
        assertThat(objects.userSecrets().getMetadata().getName()).isEqualTo(names.userSecrets());
        assertThat(objects.userSecrets().getType()).isEqualTo("Opaque");
        assertThat(objects.userSecrets().getData())
                .containsExactly(
                        Map.entry(
                                "github-token",
                                java.util.Base64.getEncoder()
                                        .encodeToString(value.getBytes(java.nio.charset.StandardCharsets.UTF_8))),
                        Map.entry("id_ed25519", "AP8="));
        assertThat(objects.userSecrets().getMetadata().getLabels())
                .isEqualTo(objects.sshSecret().getMetadata().getLabels());
        // the pod template is the same with or without secrets: a changed secret never rolls the pod
        assertThat(objects.statefulSet())
                .isEqualTo(manifests.build(plain, PowerState.RUNNING).statefulSet());
        assertThat(manifests.build(plain, PowerState.RUNNING).userSecrets().getData())
                .isEmpty();
        assertThat(KubernetesManifestRenderer.tree(objects.statefulSet()).toString())
                .doesNotContain(value);
    }

    @Test
    void userSecretsFromProviderAndTemplateAreProjectedReadOnlyIntoVarSecrets() {
        WorkspaceManifests withDefault = new WorkspaceManifests(Specs.settings(Map.of("secrets", "team-creds")));
        WorkspaceSpec spec = Specs.spec(Map.of("secrets", "kuul-secret, team-creds"));
        PodSpec pod = podSpec(withDefault.build(spec, PowerState.RUNNING));
        VolumeMount m = mount(pod.getContainers().getFirst(), "/var/secrets").orElseThrow();
        assertThat(m.getReadOnly()).isTrue();
        assertThat(volume(pod, m.getName()).getProjected().getSources())
                .extracting(s -> s.getSecret().getName())
                .containsExactly(
                        WorkspaceNames.of(spec.owner(), spec.name()).userSecrets(), "team-creds", "kuul-secret");
    }

    @Test
    void resourcesBecomeRequestsAndLimits() {
        WorkspaceSpec spec = new WorkspaceSpec(
                "5a0c1b9e-0000-4000-8000-000000000001",
                "small",
                "carol",
                "t",
                new Resources(3, 1536, 40),
                "img:1",
                "carol",
                List.of(),
                Specs.HOST_KEY,
                Specs.HOST_CERTIFICATE,
                CloudInitConfig.EMPTY,
                Map.of());
        WorkspaceObjects objects = manifests.build(spec, PowerState.RUNNING);
        Container c = podSpec(objects).getContainers().getFirst();
        assertThat(c.getResources().getRequests().get("cpu").toString()).isEqualTo("3");
        assertThat(c.getResources().getRequests().get("memory").toString()).isEqualTo("1536Mi");
        assertThat(c.getResources().getLimits()).isEqualTo(c.getResources().getRequests());
        assertThat(objects.homeClaim()
                        .getSpec()
                        .getResources()
                        .getRequests()
                        .get("storage")
                        .toString())
                .isEqualTo("40Gi");
        assertThat(StatefulSetManifests.memory(4096)).isEqualTo("4Gi");
    }

    @Test
    void devicesBecomeExtendedResourceLimitsAndEqualRequestsBesideTheGpuNodeClassSettings() {
        WorkspaceSpec spec = Specs.spec(Map.of(
                        "node-selector.hangar.dev/node-class", "gpu",
                        "tolerations", "nvidia.com/gpu:NoSchedule"))
                .withDevices(List.of(
                        new dev.hangar.provider.spi.DeviceRequest("nvidia.com/gpu", 2),
                        new dev.hangar.provider.spi.DeviceRequest("example.com/fpga", 1)));
        PodSpec pod = podSpec(manifests.build(spec, PowerState.RUNNING));
        Container c = pod.getContainers().getFirst();
        assertThat(c.getResources().getLimits())
                .containsOnlyKeys("cpu", "memory", "nvidia.com/gpu", "example.com/fpga");
        assertThat(c.getResources().getLimits().get("nvidia.com/gpu").toString())
                .isEqualTo("2");
        assertThat(c.getResources().getLimits().get("example.com/fpga").toString())
                .isEqualTo("1");
        assertThat(c.getResources().getRequests()).isEqualTo(c.getResources().getLimits());
        assertThat(pod.getNodeSelector()).containsExactlyEntriesOf(Map.of("hangar.dev/node-class", "gpu"));
        assertThat(pod.getTolerations()).singleElement().satisfies(t -> {
            assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
            assertThat(t.getOperator()).isEqualTo("Exists");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });

        Container plain = podSpec(manifests.build(Specs.spec(Map.of()), PowerState.RUNNING))
                .getContainers()
                .getFirst();
        assertThat(plain.getResources().getLimits()).containsOnlyKeys("cpu", "memory");
    }

    @Test
    void serviceMapsPort22ToSshdOn2222AndTheProbeChecksIt() {
        WorkspaceObjects objects = manifests.build(Specs.spec(Map.of()), PowerState.RUNNING);
        assertThat(objects.service().getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(objects.service().getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(22);
            assertThat(p.getTargetPort().getIntVal()).isEqualTo(2222);
        });
        Container c = podSpec(objects).getContainers().getFirst();
        assertThat(c.getPorts())
                .singleElement()
                .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(2222));
        assertThat(c.getReadinessProbe().getTcpSocket().getPort().getIntVal()).isEqualTo(2222);
        assertThat(c.getImage()).isEqualTo("registry.example/hangar/workspace:1");
        assertThat(c.getImagePullPolicy()).isEqualTo("IfNotPresent");
    }

    @Test
    void nodeSelectorTolerationsStorageClassAndPullPolicyComeFromTemplateSettings() {
        WorkspaceManifests withClass = new WorkspaceManifests(Specs.settings(Map.of("storage-class", "standard")));
        WorkspaceObjects objects = withClass.build(
                Specs.spec(Map.of(
                        "node-selector.kuul-type", "ssh",
                        "node-selector.kubernetes.io/arch", "amd64",
                        "tolerations", "dedicated=dev:NoSchedule, spot",
                        "image-pull-policy", "Never")),
                PowerState.RUNNING);
        PodSpec pod = podSpec(objects);
        assertThat(pod.getNodeSelector())
                .containsExactlyInAnyOrderEntriesOf(Map.of("kuul-type", "ssh", "kubernetes.io/arch", "amd64"));
        assertThat(pod.getTolerations()).hasSize(2);
        assertThat(pod.getTolerations().get(0)).satisfies(t -> {
            assertThat(t.getKey()).isEqualTo("dedicated");
            assertThat(t.getOperator()).isEqualTo("Equal");
            assertThat(t.getValue()).isEqualTo("dev");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });
        assertThat(pod.getTolerations().get(1)).satisfies(t -> {
            assertThat(t.getKey()).isEqualTo("spot");
            assertThat(t.getOperator()).isEqualTo("Exists");
            assertThat(t.getEffect()).isNull();
        });
        assertThat(pod.getContainers().getFirst().getImagePullPolicy()).isEqualTo("Never");
        assertThat(objects.homeClaim().getSpec().getStorageClassName()).isEqualTo("standard");

        WorkspaceObjects overridden =
                withClass.build(Specs.spec(Map.of("storage-class", "fast-ssd")), PowerState.RUNNING);
        assertThat(overridden.homeClaim().getSpec().getStorageClassName()).isEqualTo("fast-ssd");
    }

    @Test
    void privilegedIsRefusedUnlessTheProviderAllowsIt() {
        WorkspaceSpec spec = Specs.spec(Map.of("privileged", "true"));
        assertThatThrownBy(() -> manifests.build(spec, PowerState.RUNNING))
                .isInstanceOfSatisfying(
                        ProviderException.class, e -> assertThat(e.permanent()).isTrue())
                .hasMessageContaining("privileged")
                .hasMessageContaining("allow-privileged=true");
    }

    @Test
    void privilegedWhenAllowedMountsUsbAndSysFromTheNode() {
        WorkspaceManifests allowing = new WorkspaceManifests(Specs.settings(Map.of("allow-privileged", "true")));
        PodSpec pod = podSpec(allowing.build(Specs.spec(Map.of("privileged", "true")), PowerState.RUNNING));
        Container c = pod.getContainers().getFirst();
        assertThat(c.getSecurityContext().getPrivileged()).isTrue();
        assertThat(mount(c, "/dev/bus/usb"))
                .hasValueSatisfying(
                        m -> assertThat(volume(pod, m.getName()).getHostPath().getPath())
                                .isEqualTo("/dev/bus/usb"));
        assertThat(mount(c, "/sys"))
                .hasValueSatisfying(
                        m -> assertThat(volume(pod, m.getName()).getHostPath().getPath())
                                .isEqualTo("/sys"));

        // Allowed but not asked for: still unprivileged.
        PodSpec plain = podSpec(allowing.build(Specs.spec(Map.of()), PowerState.RUNNING));
        assertThat(plain.getContainers().getFirst().getSecurityContext().getPrivileged())
                .isFalse();
    }

    @Test
    void longNamesAreCutWithAStableHashSuffix() {
        String owner = "a-very-long-owner-name-that-goes-on";
        WorkspaceNames one = WorkspaceNames.of(owner, "firmware-development-box-one");
        WorkspaceNames two = WorkspaceNames.of(owner, "firmware-development-box-two");

        assertThat(one.base()).hasSizeLessThanOrEqualTo(WorkspaceNames.MAX_BASE).matches(DNS_LABEL);
        assertThat(one.base()).isNotEqualTo(two.base());
        assertThat(one).isEqualTo(WorkspaceNames.of(owner, "firmware-development-box-one"));
        assertThat(one.base()).matches(".*-[0-9a-f]{8}");
        for (String n : List.of(one.sshSecret(), one.homeClaim(), one.pod())) {
            assertThat(n).hasSizeLessThanOrEqualTo(52).matches(DNS_LABEL);
        }
        // The longest legal input (two 63-character labels) still fits.
        WorkspaceNames max = WorkspaceNames.of("o".repeat(63), "n".repeat(63));
        assertThat(max.base()).hasSizeLessThanOrEqualTo(WorkspaceNames.MAX_BASE).matches(DNS_LABEL);
    }

    @Test
    void namesStartWithALetterEvenForANumericOwner() {
        assertThat(WorkspaceNames.of("42", "x").service()).isEqualTo("ws-42-x").matches(DNS_LABEL);
    }

    @Test
    void invalidInputIsRefusedWithWhatToFix() {
        assertThatThrownBy(() -> WorkspaceNames.of("Alice", "x"))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("DNS-1123");
        assertThatThrownBy(() -> manifests.build(Specs.spec(Map.of("gpu", "1", "colour", "red")), PowerState.RUNNING))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("[colour, gpu]");
        assertThatThrownBy(() -> manifests.build(Specs.spec(Map.of("tolerations", "a:Sometimes")), PowerState.RUNNING))
                .hasMessageContaining("Sometimes");
        WorkspaceSpec spec = Specs.spec(Map.of());
        WorkspaceSpec badUser = new WorkspaceSpec(
                spec.id(),
                spec.name(),
                spec.owner(),
                spec.template(),
                spec.resources(),
                spec.image(),
                "Root User",
                spec.authorizedKeys(),
                spec.hostKey(),
                spec.hostCertificate(),
                spec.cloudInit(),
                spec.settings());
        assertThatThrownBy(() -> manifests.build(badUser, PowerState.RUNNING)).hasMessageContaining("POSIX");
    }

    @Test
    void ownedByAddsTheStatefulSetAsOwnerOfTheOthers() {
        WorkspaceObjects objects = manifests.build(Specs.spec(Map.of()), PowerState.RUNNING);
        StatefulSet live = new StatefulSetBuilder(objects.statefulSet())
                .editMetadata()
                .withUid("0b5d3c1e-1111-4222-8333-444455556666")
                .endMetadata()
                .build();
        WorkspaceObjects owned = objects.ownedBy(live);
        for (HasMetadata o : owned.dependents()) {
            assertThat(o.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
                assertThat(ref.getKind()).isEqualTo("StatefulSet");
                assertThat(ref.getName()).isEqualTo(live.getMetadata().getName());
                assertThat(ref.getUid()).isEqualTo("0b5d3c1e-1111-4222-8333-444455556666");
            });
        }
        // The originals are untouched.
        assertThat(objects.service().getMetadata().getOwnerReferences()).isEmpty();
    }

    @Test
    void selectorTakenFromTheLabelsEqualsTheSpecsSelector() {
        WorkspaceSpec spec = Specs.spec("erin", "sel-box", Map.of());
        Map<String, String> labels = WorkspaceManifests.labels(spec, WorkspaceNames.of(spec.owner(), spec.name()));
        assertThat(WorkspaceManifests.selectorOf(labels)).isEqualTo(WorkspaceManifests.selector(spec));
    }

    private static String annotation(WorkspaceObjects objects) {
        return objects.statefulSet()
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(WorkspaceManifests.ANNOTATION_CONFIG_HASH);
    }

    private static PodSpec podSpec(WorkspaceObjects objects) {
        return objects.statefulSet().getSpec().getTemplate().getSpec();
    }

    private static Optional<VolumeMount> mount(Container c, String path) {
        return c.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(path))
                .findFirst();
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static String env(Container c, String name) {
        return c.getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .map(EnvVar::getValue)
                .findFirst()
                .orElseThrow();
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
