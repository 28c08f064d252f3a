package dev.hangar.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The engine objects of one workspace, found by the label {@value ContainerManifests#WORKSPACE_ID}: its
 * container, the short-lived init container that prepares the home volume, and the volume. Every
 * operation is idempotent (a missing object to remove is not an error, an existing container of the
 * planned name is adopted), so {@link DockerProvider} can repeat a pass after a crash. Engine failures
 * become {@link ProviderException}s through {@link DockerEngine#translate}. Stateless apart from the
 * engine client; thread-safe.
 */
final class WorkspaceContainers {
    private static final String ROLE = "dev.hangar.role";

    private final DockerEngine engine;
    private final DockerClient docker;
    private final DockerSettings settings;

    WorkspaceContainers(DockerEngine engine, DockerSettings settings) {
        this.engine = engine;
        this.docker = engine.client();
        this.settings = settings;
    }

    /** @return the workspace container (not the init container), if any */
    Optional<Container> container(String id) {
        return containers(id).stream()
                .filter(c -> !"init".equals(c.getLabels().get(ROLE)))
                .findFirst();
    }

    /** @return every container labelled with workspace {@code id}, init containers included */
    List<Container> containers(String id) {
        engine.precheck();
        return call(
                "list containers",
                () -> docker.listContainersCmd()
                        .withShowAll(true)
                        .withLabelFilter(Map.of(ContainerManifests.WORKSPACE_ID, id))
                        .exec());
    }

    /** @return the names of the volumes labelled with workspace {@code id} */
    List<String> volumes(String id) {
        var response = call(
                "list volumes",
                () -> docker.listVolumesCmd()
                        .withFilter("label", List.of(ContainerManifests.WORKSPACE_ID + "=" + id))
                        .exec());
        if (response.getVolumes() == null) return List.of();
        return response.getVolumes().stream().map(v -> v.getName()).toList();
    }

    /** Creates the workspace's home volume unless one labelled with its id exists. Idempotent. */
    void ensureVolume(WorkspaceSpec spec, ContainerPlan plan) {
        if (!volumes(spec.id()).isEmpty()) return;
        call(
                "create volume",
                () -> docker.createVolumeCmd()
                        .withName(plan.volumeName())
                        .withLabels(ContainerManifests.labels(spec))
                        .exec());
    }

    /**
     * Gives the volume's root to run-as-user (a fresh named volume belongs to root; sshd's
     * StrictModes and the entrypoint's {@code mkdir $HOME} need it writable by the user): a short
     * root container that runs {@code chown} and is removed. Idempotent; runs before every create.
     */
    void prepareVolume(WorkspaceSpec spec, ContainerPlan plan) {
        String name = plan.containerName() + "-init";
        Map<String, String> labels = new java.util.HashMap<>(ContainerManifests.labels(spec));
        labels.put(ROLE, "init");
        containers(spec.id()).stream()
                .filter(c -> "init".equals(c.getLabels().get(ROLE)))
                .forEach(c -> remove(c.getId()));
        CreateContainerResponse init = call(
                "create init container",
                () -> docker.createContainerCmd(plan.image())
                        .withName(name)
                        .withUser("0:0")
                        .withEntrypoint("chown")
                        .withCmd(plan.user(), ContainerManifests.STORAGE)
                        .withLabels(labels)
                        .withHostConfig(HostConfig.newHostConfig()
                                .withBinds(new Bind(plan.volumeName(), new Volume(ContainerManifests.STORAGE))))
                        .exec());
        try {
            call("start init container", () -> {
                docker.startContainerCmd(init.getId()).exec();
                return null;
            });
            Integer code = call(
                    "wait for init container",
                    () -> docker.waitContainerCmd(init.getId())
                            .exec(new com.github.dockerjava.api.command.WaitContainerResultCallback())
                            .awaitStatusCode(60, TimeUnit.SECONDS));
            if (code != 0)
                throw new ProviderException(
                        "chown of the home volume failed (exit " + code + "): " + logTail(init.getId()), true);
        } finally {
            remove(init.getId());
        }
    }

    /**
     * Creates the workspace container of {@code plan}; adopts an existing container of its name (a
     * concurrent or crashed earlier create).
     *
     * @return the container's id
     * @throws ProviderException permanent when the image is not in the engine, naming how to import it
     */
    String create(ContainerPlan plan) {
        ExposedPort ssh = ExposedPort.tcp(ContainerManifests.SSH_PORT);
        HostConfig host = ContainerManifests.hostConfig(plan, settings.publishAddress());
        try {
            return call(
                            "create container",
                            () -> docker.createContainerCmd(plan.image())
                                    .withName(plan.containerName())
                                    .withUser(plan.user())
                                    .withEntrypoint(ContainerManifests.ENTRYPOINT)
                                    .withEnv(plan.env())
                                    .withLabels(plan.labels())
                                    .withExposedPorts(ssh)
                                    .withHostConfig(host)
                                    .exec())
                    .getId();
        } catch (ProviderException e) {
            if (e.getCause() instanceof NotFoundException)
                throw new ProviderException(
                        "image " + plan.image() + " is not in the engine at " + engine.socket() + "; import it first"
                                + " (docker import ROOTFS.tar " + plan.image() + ", or docker load)",
                        true,
                        e);
            if (e.getCause() instanceof ConflictException) {
                // a concurrent or crashed earlier create: adopt the container of that name
                return call(
                                "inspect container",
                                () -> docker.inspectContainerCmd(plan.containerName())
                                        .exec())
                        .getId();
            }
            throw e;
        }
    }

    /** Removes a container by force, keeping its volumes. Idempotent: a missing one is not an error. */
    void remove(String containerId) {
        call("remove container", () -> {
            try {
                docker.removeContainerCmd(containerId)
                        .withForce(true)
                        .withRemoveVolumes(false)
                        .exec();
            } catch (NotFoundException e) {
                // gone already
            }
            return null;
        });
    }

    /** @return the last lines the container wrote, one line joined by " | " */
    String logTail(String containerId) {
        StringBuilder out = new StringBuilder();
        try {
            docker.logContainerCmd(containerId)
                    .withStdOut(true)
                    .withStdErr(true)
                    .withTail(5)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                        }
                    })
                    .awaitCompletion(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            return "(no log: " + e.getMessage() + ")";
        }
        return String.join(" | ", out.toString().strip().lines().toList());
    }

    /** Runs an engine call, its failure translated by {@link DockerEngine#translate}. */
    <T> T call(String what, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw engine.translate(what, e);
        }
    }

    /** As {@link #call}, for a call without a result. */
    void run(String what, Runnable call) {
        call(what, () -> {
            call.run();
            return null;
        });
    }

    /** Removes a volume. Idempotent: a missing one is not an error. */
    void removeVolume(String volume) {
        call("remove volume", () -> {
            try {
                docker.removeVolumeCmd(volume).exec();
            } catch (NotFoundException e) {
                // gone already
            }
            return null;
        });
    }
}
