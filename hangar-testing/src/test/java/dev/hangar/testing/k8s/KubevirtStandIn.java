package dev.hangar.testing.k8s;

import dev.hangar.provider.kubevirt.KubevirtApi;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TEST STAND-IN for KubeVirt's virt-controller and CDI's controller, against a real API server that
 * serves only their CRDs ({@code hangar-provider-kubevirt/src/test/resources/crds/kubevirt-cdi.yaml}):
 * KubeVirt needs nested virtualisation and its images, CDI its importer images, and neither can run
 * here. It does what they visibly do to the objects Hangar writes, nothing more (no VM runs and no
 * disk is filled; the "guest" is a container of the workspace image):
 *
 * <ul>
 *   <li>CDI: for each DataVolume, a PersistentVolumeClaim of the same name owned by it (class, size
 *       from {@code spec.storage}; it binds when the launcher pod is scheduled, as with
 *       WaitForFirstConsumer classes), and {@code status.phase} stepping Pending, ImportScheduled,
 *       ImportInProgress with {@code status.progress} 10.00%, 45.20% (held there until {@link
 *       #releaseImports()}), 80.00%, then Succeeded 100.0%, one step per tick.
 *   <li>virt-controller (and virt-handler's status reports): for a VirtualMachine with {@code
 *       runStrategy: Always} whose root DataVolume has Succeeded, a VirtualMachineInstance (owned by
 *       the VM, the VM template's labels and spec, a new uid per start) and its virt-launcher pod
 *       ({@link StandInLauncher}: sshd of the workspace image with the cloud-init Secret's user, keys
 *       and pinned host key, the DataVolume's claim as the disk); the VMI's phase and Ready condition
 *       follow the pod's. With {@code Halted}, the pod is deleted, then the VMI. The VM's {@code
 *       status.printableStatus} follows: Provisioning, Starting, Running, Stopping, Stopped (through
 *       the status subresource, as virt-controller writes it).
 * </ul>
 *
 * <p>Polls the namespace every {@code tick} on one virtual thread (a real controller watches; the
 * outcome is the same level-triggered state). A write that loses to a concurrent one (409) is redone
 * at the next tick. {@link #close()} stops it and leaves the objects as they are.
 */
final class KubevirtStandIn implements AutoCloseable {
    static final String HELD_PROGRESS = "45.20%";

    private final KubernetesClient client;
    private final String namespace;
    private final StandInLauncher launcher;
    private final CountDownLatch imports = new CountDownLatch(1);
    private final AtomicReference<RuntimeException> lastError = new AtomicReference<>();
    private final AtomicInteger vmisCreated = new AtomicInteger();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            Thread.ofVirtual().name("kubevirt-stand-in").factory());

    /**
     * @param image the workspace image the launcher pods run ({@link StandInLauncher})
     * @param tick how often the namespace is polled
     */
    KubevirtStandIn(KubernetesClient client, String namespace, String image, Duration tick) {
        this.client = client;
        this.namespace = namespace;
        this.launcher = new StandInLauncher(client, namespace, image);
        loop.scheduleWithFixedDelay(this::tick, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Lets every import held at {@value #HELD_PROGRESS} go on to Succeeded. */
    void releaseImports() {
        imports.countDown();
    }

    /** @return how many VMIs the stand-in created (one per start) */
    int vmisCreated() {
        return vmisCreated.get();
    }

    /** @return the virt-launcher pods in the namespace */
    List<Pod> launcherPods() {
        return launcher.all();
    }

    /** @return the launcher pods' Secrets in the namespace */
    List<io.fabric8.kubernetes.api.model.Secret> launcherSecrets() {
        return launcher.secrets();
    }

    /** @return the last error of a tick other than a lost write, for a test's failure message */
    Optional<RuntimeException> lastError() {
        return Optional.ofNullable(lastError.get());
    }

    @Override
    public void close() throws InterruptedException {
        loop.shutdownNow();
        loop.awaitTermination(30, TimeUnit.SECONDS);
    }

    /** One level-triggered pass over the namespace; never throws (the executor would stop repeating it). */
    private void tick() {
        try {
            for (GenericKubernetesResource dv : list(KubevirtApi.DATA_VOLUME)) cdi(dv);
            for (GenericKubernetesResource vm : list(KubevirtApi.VIRTUAL_MACHINE)) virtController(vm);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409 && e.getCode() != 404) lastError.set(e);
        } catch (RuntimeException e) {
            lastError.set(e);
        }
    }

    private List<GenericKubernetesResource> list(io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext kind) {
        return client.genericKubernetesResources(kind)
                .inNamespace(namespace)
                .list()
                .getItems();
    }

    // ---- CDI ----

    private void cdi(GenericKubernetesResource dv) {
        if (dv.getMetadata().getDeletionTimestamp() != null) return;
        String name = dv.getMetadata().getName();
        if (client.persistentVolumeClaims()
                        .inNamespace(namespace)
                        .withName(name)
                        .get()
                == null) {
            client.persistentVolumeClaims()
                    .inNamespace(namespace)
                    .resource(claimFor(dv))
                    .create();
        }
        Map<String, Object> status = map(dv.getAdditionalProperties().get("status"));
        String phase = String.valueOf(status.getOrDefault("phase", ""));
        String progress = String.valueOf(status.getOrDefault("progress", ""));
        Map<String, Object> next = new LinkedHashMap<>();
        switch (phase) {
            case "" -> next.put("phase", "Pending");
            case "Pending" -> next.put("phase", "ImportScheduled");
            case "ImportScheduled" -> progress(next, "10.00%");
            case "ImportInProgress" -> {
                switch (progress) {
                    case "10.00%" -> progress(next, HELD_PROGRESS);
                    case HELD_PROGRESS -> {
                        if (imports.getCount() > 0) return;
                        progress(next, "80.00%");
                    }
                    default -> {
                        next.put("phase", "Succeeded");
                        next.put("progress", "100.0%");
                        next.put("conditions", List.of(condition("Ready", "True", "")));
                    }
                }
            }
            default -> {
                return; // Succeeded (or anything else): nothing more to do
            }
        }
        dv.getAdditionalProperties().put("status", next);
        client.genericKubernetesResources(KubevirtApi.DATA_VOLUME)
                .inNamespace(namespace)
                .resource(dv)
                .updateStatus();
    }

    private static void progress(Map<String, Object> status, String percent) {
        status.put("phase", "ImportInProgress");
        status.put("progress", percent);
        status.put("conditions", List.of(condition("Running", "True", "Pod is running")));
    }

    private PersistentVolumeClaim claimFor(GenericKubernetesResource dv) {
        Map<String, Object> storage =
                map(map(dv.getAdditionalProperties().get("spec")).get("storage"));
        Map<String, Object> requests = map(map(storage.get("resources")).get("requests"));
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(dv.getMetadata().getName())
                .withNamespace(namespace)
                .addToLabels("app", "containerized-data-importer")
                .withOwnerReferences(ownerReference(dv))
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName((String) storage.get("storageClassName"))
                .withNewResources()
                .addToRequests("storage", new Quantity(String.valueOf(requests.getOrDefault("storage", "1Gi"))))
                .endResources()
                .endSpec()
                .build();
    }

    // ---- virt-controller ----

    private void virtController(GenericKubernetesResource vm) {
        if (vm.getMetadata().getDeletionTimestamp() != null) return;
        String name = vm.getMetadata().getName();
        Map<String, Object> spec = map(vm.getAdditionalProperties().get("spec"));
        boolean always = "Always".equals(spec.get("runStrategy"));
        var vmis = client.genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE_INSTANCE)
                .inNamespace(namespace);
        GenericKubernetesResource vmi = vmis.withName(name).get();
        String printable;
        if (always) {
            Optional<String> disk = rootDataVolume(spec);
            String diskPhase = disk.map(d -> client.genericKubernetesResources(KubevirtApi.DATA_VOLUME)
                            .inNamespace(namespace)
                            .withName(d)
                            .get())
                    .map(d -> String.valueOf(
                            map(d.getAdditionalProperties().get("status")).getOrDefault("phase", "")))
                    .orElse("Succeeded");
            if (!diskPhase.equals("Succeeded")) {
                printable = "Provisioning";
            } else if (vmi == null) {
                vmis.resource(instanceOf(vm, spec)).create();
                vmisCreated.incrementAndGet();
                printable = "Starting";
            } else if (vmi.getMetadata().getDeletionTimestamp() != null) {
                printable = "Stopping";
            } else {
                Optional<Pod> pod = launcher.find(vmi);
                if (pod.isEmpty()) launcher.start(vm, vmi);
                boolean running = pod.map(p -> p.getStatus() != null
                                && "Running".equals(p.getStatus().getPhase()))
                        .orElse(false);
                syncInstance(vmi, running, pod.map(StandInLauncher::ready).orElse(false));
                printable = running ? "Running" : "Starting";
            }
        } else if (vmi != null) {
            // As KubeVirt: the launcher pod goes first, the VMI (held by its finalizer there) after it.
            Optional<Pod> pod = launcher.find(vmi);
            if (pod.isPresent()) {
                if (pod.get().getMetadata().getDeletionTimestamp() == null) {
                    client.pods().inNamespace(namespace).resource(pod.get()).delete();
                } else if (StandInLauncher.terminated(pod.get())) {
                    // Every container has stopped: remove the object now. The 1.20 kubelet loses a
                    // race with its own dead-container cleanup when containers exit at once on
                    // SIGTERM and then leaves the object until its next one-minute resync.
                    client.pods()
                            .inNamespace(namespace)
                            .resource(pod.get())
                            .withGracePeriod(0)
                            .delete();
                }
            } else if (vmi.getMetadata().getDeletionTimestamp() == null) {
                vmis.withName(name).delete();
            }
            printable = "Stopping";
        } else {
            printable = "Stopped";
        }
        Map<String, Object> status = map(vm.getAdditionalProperties().get("status"));
        if (printable.equals(status.get("printableStatus"))) return;
        Map<String, Object> next = new LinkedHashMap<>();
        next.put("printableStatus", printable);
        next.put("created", vmi != null || printable.equals("Starting"));
        next.put("ready", printable.equals("Running"));
        next.put("conditions", List.of(condition("Ready", printable.equals("Running") ? "True" : "False", printable)));
        vm.getAdditionalProperties().put("status", next);
        client.genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE)
                .inNamespace(namespace)
                .resource(vm)
                .updateStatus();
    }

    /** The VMI virt-controller makes from a VM's template: its labels, its spec, owned by the VM. */
    private GenericKubernetesResource instanceOf(GenericKubernetesResource vm, Map<String, Object> spec) {
        Map<String, Object> template = map(spec.get("template"));
        Map<String, String> labels = new LinkedHashMap<>();
        map(map(template.get("metadata")).get("labels")).forEach((k, v) -> labels.put(k, String.valueOf(v)));
        labels.put("kubevirt.io/vm", vm.getMetadata().getName());
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("phase", "Scheduling");
        status.put("conditions", List.of(condition("Ready", "False", "")));
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(KubevirtApi.KUBEVIRT_V1)
                .withKind("VirtualMachineInstance")
                .withNewMetadata()
                .withName(vm.getMetadata().getName())
                .withNamespace(namespace)
                .withLabels(labels)
                .withOwnerReferences(ownerReference(vm))
                .endMetadata()
                .withAdditionalProperties(Map.of("spec", template.getOrDefault("spec", Map.of()), "status", status))
                .build();
    }

    /** The VMI's phase and Ready condition follow its launcher pod's, as virt-handler reports them. */
    private void syncInstance(GenericKubernetesResource vmi, boolean running, boolean ready) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("phase", running ? "Running" : "Scheduled");
        status.put("conditions", List.of(condition("Ready", ready ? "True" : "False", "")));
        if (status.equals(vmi.getAdditionalProperties().get("status"))) return;
        vmi.getAdditionalProperties().put("status", status);
        client.genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE_INSTANCE)
                .inNamespace(namespace)
                .resource(vmi)
                .update();
    }

    /** @return the name of the VM's first {@code dataVolume} volume */
    private static Optional<String> rootDataVolume(Map<String, Object> vmSpec) {
        Object volumes = map(map(vmSpec.get("template")).get("spec")).get("volumes");
        if (!(volumes instanceof List<?> list)) return Optional.empty();
        for (Object v : list) {
            Object dv = map(v).get("dataVolume");
            if (dv != null) return Optional.of(String.valueOf(map(dv).get("name")));
        }
        return Optional.empty();
    }

    private static OwnerReference ownerReference(HasMetadata owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    private static Map<String, Object> condition(String type, String status, String reason) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", type);
        c.put("status", status);
        if (!reason.isEmpty()) c.put("reason", reason);
        return c;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** @return every object of {@code kinds} in the namespace, for a test's failure message */
    String describe() {
        List<String> lines = new ArrayList<>();
        for (var kind :
                List.of(KubevirtApi.VIRTUAL_MACHINE, KubevirtApi.VIRTUAL_MACHINE_INSTANCE, KubevirtApi.DATA_VOLUME)) {
            for (GenericKubernetesResource o : list(kind)) {
                lines.add(o.getKind() + "/" + o.getMetadata().getName() + " status="
                        + Objects.toString(o.getAdditionalProperties().get("status")));
            }
        }
        lastError().ifPresent(e -> lines.add("stand-in's last error: " + e));
        return String.join("\n", lines);
    }
}
