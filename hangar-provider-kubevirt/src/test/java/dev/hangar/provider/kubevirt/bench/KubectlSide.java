package dev.hangar.provider.kubevirt.bench;

import static dev.hangar.provider.kubernetes.bench.ReconcileBenchmark.applyServerSide;
import static dev.hangar.provider.kubernetes.bench.ReconcileBenchmark.kubectl;
import static dev.hangar.provider.kubernetes.bench.ReconcileBenchmark.timed;

import dev.hangar.provider.kubevirt.KubevirtApi;
import dev.hangar.provider.kubevirt.KubevirtManifests;
import dev.hangar.provider.kubevirt.KubevirtObjects;
import dev.hangar.provider.kubevirt.KubevirtSettings;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.vm.ImageCatalog;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's kubectl side: the workspaces' objects built by the same {@link KubevirtManifests}
 * (Halted, labelled with the run), written with {@code kubectl apply --server-side}, requests counted
 * from kubectl's {@code -v=6} log. {@link #createOwned} gives the dependents the same owner
 * references the provider writes (the VMs are applied first, their uids read untimed, then the
 * Secrets, Services and DataVolumes). Not thread-safe.
 */
final class KubectlSide {
    /** One kubectl pass: its wall time, the API requests it sent, and the file that holds its objects. */
    record Pass(Duration time, long requests, Path file) {}

    private final String kubectl;
    private final KubevirtManifests manifests;
    private final KubernetesClient reader;
    private final String namespace;
    private final String label;
    private final KubernetesSerialization yaml = new KubernetesSerialization();

    /**
     * @param reader reads the applied VMs' uids (not counted as kubectl's)
     * @param label the label key whose value is the run
     */
    KubectlSide(String kubectl, KubevirtSettings settings, KubernetesClient reader, String namespace, String label) {
        this.kubectl = kubectl;
        this.manifests = new KubevirtManifests(settings, ImageCatalog.shipped());
        this.reader = reader;
        this.namespace = namespace;
        this.label = label;
    }

    /** Applies one file of objects (server-side, field manager {@code hangar-bench}). */
    Pass apply(Path file) throws Exception {
        long[] sent = new long[1];
        Duration d = timed(() -> sent[0] = applyServerSide(kubectl, file));
        return new Pass(d, sent[0], file);
    }

    /**
     * Creates the workspaces' objects as the provider does: the VMs, then their dependents owned by
     * them. Timed: the two applies; not timed: reading the uids between them.
     *
     * @return both applies' time and requests, and a file holding every object as applied
     */
    Pass createOwned(List<WorkspaceSpec> specs, String run) throws Exception {
        List<KubevirtObjects> objects = new ArrayList<>();
        StringBuilder vms = new StringBuilder();
        for (WorkspaceSpec spec : specs) {
            KubevirtObjects o = manifests.build(spec, PowerState.STOPPED);
            objects.add(o);
            vms.append(asYaml(o.virtualMachine(), run));
        }
        Path vmFile = write(vms);
        Pass first = apply(vmFile);
        Files.delete(vmFile);
        Map<String, GenericKubernetesResource> live = new java.util.HashMap<>();
        for (GenericKubernetesResource vm : reader.genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE)
                .inNamespace(namespace)
                .withLabel(label, run)
                .list()
                .getItems()) {
            live.put(vm.getMetadata().getName(), vm);
        }
        StringBuilder dependents = new StringBuilder();
        StringBuilder all = new StringBuilder();
        for (KubevirtObjects o : objects) {
            GenericKubernetesResource vm =
                    live.get(o.virtualMachine().getMetadata().getName());
            KubevirtObjects owned = o.ownedBy(vm);
            all.append(asYaml(owned.virtualMachine(), run));
            for (HasMetadata d : owned.dependents()) {
                String text = asYaml(d, run);
                dependents.append(text);
                all.append(text);
            }
        }
        Path dependentFile = write(dependents);
        Pass second = apply(dependentFile);
        Files.delete(dependentFile);
        return new Pass(first.time().plus(second.time()), first.requests() + second.requests(), write(all));
    }

    /** @return a file of the workspaces' objects without owner references, labelled with {@code run} */
    Path manifests(List<WorkspaceSpec> specs, String run) throws IOException {
        StringBuilder out = new StringBuilder();
        for (WorkspaceSpec spec : specs) {
            for (HasMetadata o : manifests.build(spec, PowerState.STOPPED).all()) out.append(asYaml(o, run));
        }
        return write(out);
    }

    /** Deletes the run's objects by label ({@code --wait=false}, as the provider does not wait either). */
    Pass delete(String run) throws Exception {
        long[] sent = new long[1];
        Duration d = timed(() -> sent[0] = kubectl(
                kubectl,
                "-n",
                namespace,
                "delete",
                "virtualmachines.kubevirt.io,datavolumes.cdi.kubevirt.io,secrets,services",
                "-l",
                label + "=" + run,
                "--wait=false"));
        return new Pass(d, sent[0], Path.of(""));
    }

    private String asYaml(HasMetadata o, String run) {
        o.getMetadata().getLabels().put(label, run);
        return yaml.asYaml(o);
    }

    private static Path write(CharSequence text) throws IOException {
        Path file = Files.createTempFile("hangar-kubevirt-bench-", ".yaml");
        Files.writeString(file, text);
        return file;
    }
}
