package dev.hangar.provider.kubevirt;

import static dev.hangar.provider.kubevirt.ObservedVm.condition;
import static dev.hangar.provider.kubevirt.ObservedVm.text;

import dev.hangar.provider.spi.Observation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Maps what the cluster says of a KubeVirt workspace to an {@link Observation} with a human reason.
 * Pure apart from {@code whenReady}; thread-safe.
 *
 * <p>First the root disk DataVolume ({@code status.phase}): {@code Failed}, or a {@code Running}
 * condition that is {@code False} after {@value #IMPORT_RESTARTS_FAILED} or more importer restarts
 * (a 404 or a checksum mismatch makes CDI retry forever), is {@link Observation.Failed}; every phase
 * before {@code Succeeded} ({@code Pending}, {@code PVCBound}, {@code ImportScheduled}, {@code
 * ImportInProgress} with {@code status.progress} such as {@code 45.20%}, {@code CloneScheduled},
 * {@code CloneInProgress}, {@code WaitForFirstConsumer}, {@code Paused}, ...) is {@link
 * Observation.Starting} naming the phase and progress ({@link Observation.Stopped} while the VM is
 * halted). Then the VM's {@code status.printableStatus}:
 *
 * <table>
 *   <caption>printableStatus to observation</caption>
 *   <tr><th>printableStatus</th><th>observation</th></tr>
 *   <tr><td>(none yet), Stopped</td><td>Stopped when {@code runStrategy} is Halted, else Starting</td></tr>
 *   <tr><td>Provisioning, Starting, WaitingForVolumeBinding, Unknown, any other</td><td>Starting</td></tr>
 *   <tr><td>Running, Migrating</td><td>Stopping when halted; else Starting until the VMI's {@code Ready}
 *       condition is True, then what {@code whenReady} says (Running once sshd answered with the pinned
 *       host identity)</td></tr>
 *   <tr><td>Stopping, Terminating</td><td>Stopping</td></tr>
 *   <tr><td>Paused, ErrorUnschedulable, ErrImagePull, ImagePullBackOff, ErrorPvcNotFound,
 *       ErrorDataVolumeNotFound, DataVolumeError, CrashLoopBackOff</td><td>Failed, with the cluster's
 *       reason (the VM's {@code Failure} condition, the VMI's {@code PodScheduled} condition, the
 *       DataVolume's {@code Running} condition) and what to do</td></tr>
 * </table>
 */
final class VmObservations {
    /** Importer restarts after which a DataVolume that is not running counts as failed. */
    static final int IMPORT_RESTARTS_FAILED = 3;

    private VmObservations() {}

    /**
     * @param whenReady called only when the VM runs and its VMI is Ready: probes sshd and returns
     *     Running or Starting
     */
    static Observation map(ObservedVm o, Supplier<Observation> whenReady) {
        GenericKubernetesResource vm = o.virtualMachine();
        String vmName = o.names().virtualMachine();
        boolean halted = KubevirtManifests.RUN_HALTED.equals(
                text(vm, "spec", "runStrategy").orElse(KubevirtManifests.RUN_ALWAYS));
        Optional<String> printable = text(vm, "status", "printableStatus");

        if (o.rootDisk().isPresent()) {
            GenericKubernetesResource dv = o.rootDisk().get();
            String dvName = o.names().rootDisk();
            String phase = text(dv, "status", "phase").orElse("");
            Optional<Map<String, String>> running = condition(dv, "Running");
            String why = running.map(VmObservations::describe).orElse("");
            if (phase.equals("Failed")) {
                return new Observation.Failed("root disk DataVolume " + dvName + " failed" + suffix(why)
                        + "; delete the workspace and check the image source and storage");
            }
            int restarts = text(dv, "status", "restartCount")
                    .map(VmObservations::parseInt)
                    .orElse(0);
            if (restarts >= IMPORT_RESTARTS_FAILED
                    && running.map(c -> "False".equals(c.get("status"))).orElse(false)) {
                return new Observation.Failed("root disk import into DataVolume " + dvName + " keeps failing ("
                        + restarts + " importer restarts)" + suffix(why)
                        + "; check the image URL and that the cluster can reach it");
            }
            if (!phase.equals("Succeeded")) {
                String progress = text(dv, "status", "progress")
                        .filter(p -> !p.isBlank() && !p.equals("N/A"))
                        .map(p -> " " + p)
                        .orElse("");
                String detail = phase.isEmpty()
                        ? "waiting for CDI to start the root disk DataVolume " + dvName
                        : "root disk " + dvName + ": " + phase + progress;
                if (halted && printable.map(s -> s.equals("Stopped")).orElse(true)) {
                    return new Observation.Stopped("VM halted; " + detail);
                }
                if (printable.isEmpty() || isStartingStatus(printable.get())) {
                    return new Observation.Starting(detail);
                }
            }
        }

        String status = printable.orElse("");
        String reason = reason(o);
        return switch (status) {
            case "" ->
                halted
                        ? new Observation.Stopped("VM " + vmName + " halted")
                        : new Observation.Starting("waiting for KubeVirt to start VM " + vmName);
            case "Stopped" ->
                halted
                        ? new Observation.Stopped("VM " + vmName + " stopped; root disk kept")
                        : new Observation.Starting("VM " + vmName + " is Stopped; starting it (runStrategy Always)");
            case "Running", "Migrating" -> {
                if (halted) yield new Observation.Stopping("VM " + vmName + " stopping (runStrategy Halted)");
                boolean ready = o.instance()
                        .flatMap(vmi -> condition(vmi, "Ready"))
                        .map(c -> "True".equals(c.get("status")))
                        .orElse(false);
                yield ready
                        ? whenReady.get()
                        : new Observation.Starting(
                                "VM " + vmName + " " + status + "; waiting for the guest to be Ready" + suffix(reason));
            }
            case "Stopping", "Terminating" -> new Observation.Stopping("VM " + vmName + " " + status);
            case "Paused" ->
                new Observation.Failed("VM " + vmName + " is Paused; unpause it (virtctl unpause vm " + vmName + ")");
            case "ErrorUnschedulable" ->
                new Observation.Failed("VM " + vmName + " cannot be scheduled (ErrorUnschedulable)" + suffix(reason)
                        + "; check its node selector, tolerations and the cluster's free CPU and memory");
            case "ErrImagePull", "ImagePullBackOff" ->
                new Observation.Failed(
                        "VM " + vmName + ": a KubeVirt image cannot be pulled (" + status + ")" + suffix(reason));
            case "ErrorPvcNotFound", "ErrorDataVolumeNotFound" ->
                new Observation.Failed("VM " + vmName + ": its root disk "
                        + o.names().rootDisk() + " is missing (" + status + ")" + suffix(reason));
            case "DataVolumeError" ->
                new Observation.Failed("VM " + vmName + ": root disk DataVolume "
                        + o.names().rootDisk() + " has an error (DataVolumeError)"
                        + suffix(dataVolumeReason(o).orElse(reason)));
            case "CrashLoopBackOff" ->
                new Observation.Failed("VM " + vmName + " keeps crashing (CrashLoopBackOff)" + suffix(reason));
            case "Unknown" ->
                new Observation.Starting(
                        "VM " + vmName + " status Unknown (its node may be unreachable)" + suffix(reason));
            default -> new Observation.Starting("VM " + vmName + " " + status + suffix(reason));
        };
    }

    private static boolean isStartingStatus(String status) {
        return switch (status) {
            case "Stopped", "Provisioning", "Starting", "WaitingForVolumeBinding" -> true;
            default -> false;
        };
    }

    /**
     * @return the cluster's own words for what blocks the VM: its {@code Failure} condition, the VMI's
     *     {@code PodScheduled} condition when False, else its {@code Ready} condition when False
     */
    static String reason(ObservedVm o) {
        Optional<String> failure = condition(o.virtualMachine(), "Failure")
                .filter(c -> "True".equals(c.get("status")))
                .map(VmObservations::describe);
        if (failure.isPresent() && !failure.get().isEmpty()) return failure.get();
        Optional<String> scheduling = o.instance()
                .flatMap(vmi -> condition(vmi, "PodScheduled"))
                .filter(c -> "False".equals(c.get("status")))
                .map(VmObservations::describe);
        if (scheduling.isPresent() && !scheduling.get().isEmpty()) return scheduling.get();
        return condition(o.virtualMachine(), "Ready")
                .filter(c -> "False".equals(c.get("status")))
                .map(VmObservations::describe)
                .orElse("");
    }

    private static Optional<String> dataVolumeReason(ObservedVm o) {
        return o.rootDisk()
                .flatMap(dv -> condition(dv, "Running"))
                .map(VmObservations::describe)
                .filter(s -> !s.isEmpty());
    }

    /** @return {@code "Reason: message"}, either part alone when the other is empty */
    private static String describe(Map<String, String> condition) {
        String reason = condition.getOrDefault("reason", "");
        String message = condition.getOrDefault("message", "");
        if (reason.isEmpty()) return message;
        if (message.isEmpty()) return reason;
        return reason + ": " + message;
    }

    private static String suffix(String why) {
        return why.isEmpty() ? "" : ": " + why;
    }

    private static int parseInt(String s) {
        try {
            return (int) Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
