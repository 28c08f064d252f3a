package dev.hangar.provider.kubevirt;

import dev.hangar.provider.spi.ConsoleLogUnavailableException;
import dev.hangar.provider.spi.ConsoleLogUnavailableException.Why;
import dev.hangar.provider.vm.SerialConsoleText;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The end of a KubeVirt VM's serial console log, as {@code kubectl logs <virt-launcher pod> -c
 * guest-console-log} shows it. Since KubeVirt 1.1 the virt-launcher pod of a VMI whose serial
 * console is logged (the default; off when the KubeVirt CR sets {@code
 * spec.configuration.virtualMachineOptions.disableSerialConsoleLog} or the VM sets {@code
 * spec.template.spec.domain.devices.logSerialConsole: false}) has a container {@value #CONTAINER}
 * that streams the console's log file to its standard output, so the API server's {@code pods/log}
 * serves it. The pod is found by KubeVirt's label {@value #CREATED_BY} (the VMI's uid).
 *
 * <p>The log lives and dies with the virt-launcher pod: there is none while the VM is stopped, and a
 * new VMI (start, restart) starts a new one. API access: get on virtualmachineinstances, list on pods
 * (by label), get on pods/log. Thread-safe.
 */
final class LauncherConsoleLog {
    /** KubeVirt's serial console log container in the virt-launcher pod. */
    static final String CONTAINER = "guest-console-log";
    /** KubeVirt's label on the virt-launcher pod: the uid of the VMI it runs. */
    static final String CREATED_BY = "kubevirt.io/created-by";

    /** At most this much of the log is read per call. */
    static final int MAX_BYTES = 1 << 20;

    /** How long one read of the log may take. */
    private static final java.time.Duration LOG_TIMEOUT = java.time.Duration.ofSeconds(30);

    private final KubernetesClient client;

    LauncherConsoleLog(KubernetesClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * @param workspace the workspace's name, for the messages
     * @return the last {@code lines} non-blank lines, without escape sequences
     * @throws ConsoleLogUnavailableException NOT_RUNNING when no VMI or no virt-launcher pod exists;
     *     NOT_KEPT when the pod has no {@value #CONTAINER} container
     * @throws io.fabric8.kubernetes.client.KubernetesClientException when the API server refuses
     */
    List<String> tail(String namespace, String vmName, String workspace, int lines) {
        GenericKubernetesResource vmi = client.genericKubernetesResources(KubevirtApi.VIRTUAL_MACHINE_INSTANCE)
                .inNamespace(namespace)
                .withName(vmName)
                .get();
        if (vmi == null) {
            throw new ConsoleLogUnavailableException(
                    Why.NOT_RUNNING,
                    "workspace " + workspace + " has no serial console log now: KubeVirt keeps it in the VM's"
                            + " virt-launcher pod, which exists only while the VM runs; start it with 'hangar start "
                            + workspace + "'");
        }
        Optional<Pod> launcher = client
                .pods()
                .inNamespace(namespace)
                .withLabel(CREATED_BY, vmi.getMetadata().getUid())
                .list()
                .getItems()
                .stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .max(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp()));
        if (launcher.isEmpty()) {
            throw new ConsoleLogUnavailableException(
                    Why.NOT_RUNNING,
                    "workspace " + workspace + " has no serial console log yet: KubeVirt has not started the"
                            + " virt-launcher pod of VM " + namespace + "/" + vmName + "; try again once it runs");
        }
        Pod pod = launcher.get();
        Stream<Container> containers =
                Stream.concat(pod.getSpec().getInitContainers().stream(), pod.getSpec().getContainers().stream());
        if (containers.noneMatch(c -> CONTAINER.equals(c.getName()))) {
            throw new ConsoleLogUnavailableException(
                    Why.NOT_KEPT,
                    "workspace " + workspace + ": this cluster's KubeVirt keeps no serial console log (the"
                            + " virt-launcher pod " + pod.getMetadata().getName() + " has no " + CONTAINER
                            + " container: KubeVirt 1.1 or later logs the console unless its KubeVirt resource sets"
                            + " spec.configuration.virtualMachineOptions.disableSerialConsoleLog); watch it live with"
                            + " 'hangar console " + workspace + "'");
        }
        // A plain GET of pods/log through the client's own HTTP client (its credentials and TLS):
        // fabric8's getLog() first waits for the pod to be ready with a watch, even with a wait of 0
        // (the watch request races its own cancel), which would need another permission, and a log
        // is worth reading while the guest boots.
        String url = client.getMasterUrl().toString().replaceAll("/+$", "") + "/api/v1/namespaces/" + namespace
                + "/pods/" + pod.getMetadata().getName() + "/log?container=" + CONTAINER + "&limitBytes="
                + MAX_BYTES
                // Blank lines and escape-only lines are dropped afterwards: ask for more than needed.
                + "&tailLines=" + Math.min(lines * 2 + 10, 50_000);
        String text;
        try {
            io.fabric8.kubernetes.client.http.HttpClient http = client.getHttpClient();
            io.fabric8.kubernetes.client.http.HttpResponse<String> r = http.sendAsync(
                            http.newHttpRequestBuilder().uri(url).build(), String.class)
                    .get(LOG_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            if (!r.isSuccessful()) {
                throw new io.fabric8.kubernetes.client.KubernetesClientException(
                        "GET pods/log of " + pod.getMetadata().getName() + ": HTTP " + r.code() + " " + r.body(),
                        r.code(),
                        null);
            }
            text = r.body();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new io.fabric8.kubernetes.client.KubernetesClientException(
                    "GET pods/log of " + pod.getMetadata().getName() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.fabric8.kubernetes.client.KubernetesClientException("interrupted reading the console log", e);
        }
        return SerialConsoleText.lastLines(Objects.requireNonNullElse(text, ""), lines, false);
    }
}
