package dev.hangar.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import dev.hangar.provider.docker.devcontainer.DevcontainerConfig;
import dev.hangar.provider.docker.devcontainer.DevcontainerParser;
import dev.hangar.provider.docker.devcontainer.RegistryClient;
import dev.hangar.provider.docker.devcontainer.RegistryFeatures;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.provider.spi.WorkspaceProvider;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.ssh.SshProbe;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Workspaces as containers on a Docker Engine API (dockerd or Podman): one container running sshd
 * as the non-root image user on port {@value ContainerManifests#SSH_PORT}, published on {@code
 * publish-address} at an ephemeral port; one named volume for the home; one directory of SSH files.
 * Everything carries the label {@value ContainerManifests#WORKSPACE_ID}, by which every call finds
 * it again (so a restarted server adopts running containers).
 *
 * <p>Observe before apply (docs/adr/0009): {@link #observe} only reads; {@link #apply} changes only
 * what differs. Idempotent: a crash between two steps is repaired by the next pass (a container
 * whose config hash differs from the spec is re-created while stopped; the volume is kept).
 * Thread-safe: the reconciler serialises calls per workspace; calls for different workspaces touch
 * different resources.
 */
public final class DockerProvider implements WorkspaceProvider {
    /** The provider type templates name. */
    public static final String TYPE = "docker";

    private static final Set<Long> STOP_EXIT_CODES = Set.of(0L, 137L, 143L, 255L);
    /** Connect and per-request limit for feature registries: offline hosts fail fast, not after minutes. */
    private static final Duration REGISTRY_TIMEOUT = Duration.ofSeconds(15);

    private final DockerEngine engine;
    private final DockerClient docker;
    private final DockerSettings settings;
    private final SshKeyFiles keyFiles;
    private final SshProbe probe = new SshProbe();
    private final Clock clock;
    private final DevcontainerImages devcontainerImages;
    private final LifecycleHooks hooks;
    private final SecretDelivery secrets;
    private final EngineImages images;
    private final ImagePulls pulls;
    private final WorkspaceContainers objects;

    DockerProvider(DockerEngine engine, DockerSettings settings, SshKeyFiles keyFiles, Clock clock) {
        this.engine = engine;
        this.docker = engine.client();
        this.settings = settings;
        this.keyFiles = keyFiles;
        this.clock = clock;
        this.pulls = new ImagePulls(engine, settings.pullRegistries());
        this.devcontainerImages = new DevcontainerImages(
                engine,
                pulls,
                keyFiles.directory("builds").getParent().resolveSibling("builds"),
                settings.runAsUser(),
                new RegistryFeatures(new RegistryClient(REGISTRY_TIMEOUT), settings.featureRegistries()));
        this.hooks = new LifecycleHooks(engine);
        this.secrets = new SecretDelivery(engine);
        this.images = new EngineImages(engine, pulls);
        this.objects = new WorkspaceContainers(engine, settings);
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** @return the engine's images ({@link EngineImages}): list, import of a rootfs tarball, delete; never pull */
    @Override
    public Optional<dev.hangar.provider.spi.WorkspaceImages> images() {
        return Optional.of(images);
    }

    /**
     * {@code Absent} when neither container nor volume exists; {@code Stopped} when the container is
     * not running (or only the volume is left); {@code Failed} when the container exited on its own
     * with an error exit code or was OOM-killed (with its last log lines); {@code Running} once sshd
     * on the published port completed a key exchange with the pinned host key (and certificate);
     * {@code Starting} before that.
     */
    @Override
    public Observation observe(WorkspaceSpec spec) {
        Optional<Container> container = objects.container(spec.id());
        if (container.isEmpty()) {
            return !objects.volumes(spec.id()).isEmpty()
                    ? new Observation.Stopped("home volume kept, no container")
                    : new Observation.Absent();
        }
        InspectContainerResponse inspected = objects.call(
                "inspect container",
                () -> docker.inspectContainerCmd(container.get().getId()).exec());
        var state = inspected.getState();
        if (!Boolean.TRUE.equals(state.getRunning())) {
            long code = state.getExitCodeLong() == null ? 0 : state.getExitCodeLong();
            if (Boolean.TRUE.equals(state.getOOMKilled()))
                return new Observation.Failed("container was killed: out of memory (memoryMiB too small)");
            if ("exited".equals(state.getStatus()) && !STOP_EXIT_CODES.contains(code))
                return new Observation.Failed(
                        "container exited with code " + code + ": " + objects.logTail(inspected.getId()));
            return new Observation.Stopped("container " + state.getStatus());
        }
        Optional<SshEndpoint> endpoint = endpoint(inspected);
        if (endpoint.isEmpty()) return new Observation.Starting("container running, port not published yet");
        SshProbe.Result r =
                probe.probe(endpoint.get(), spec.hostKey().publicKey(), spec.hostCertificate(), Duration.ofSeconds(3));
        return switch (r.outcome()) {
            case MATCH -> new Observation.Running(endpoint.get(), r.detail());
            case MISMATCH -> new Observation.Failed(r.detail());
            case UNREACHABLE -> new Observation.Starting(r.detail());
        };
    }

    @Override
    public Observation apply(WorkspaceSpec spec, PowerState desired, ProviderListener listener) {
        if (desired == PowerState.STOPPED) {
            objects.container(spec.id())
                    .filter(c -> "running".equals(c.getState()))
                    .ifPresent(c -> {
                        try {
                            objects.run(
                                    "stop container",
                                    () -> docker.stopContainerCmd(c.getId())
                                            .withTimeout(10)
                                            .exec());
                        } catch (ProviderException e) {
                            if (!(e.getCause() instanceof NotModifiedException)) throw e;
                        }
                        listener.event("container-stopped", "stopped container " + c.getNames()[0]);
                    });
            return observe(spec);
        }
        Optional<DevcontainerConfig> devcontainer = Optional.ofNullable(
                        spec.settings().get(ContainerManifests.DEVCONTAINER))
                .map(dir -> DevcontainerParser.read(Path.of(dir)));
        Instant start = clock.instant();
        String image;
        if (devcontainer.isPresent()) {
            image = devcontainerImages.ensure(spec, devcontainer.get(), listener);
            listener.phaseTiming("image", Duration.between(start, clock.instant()));
        } else {
            image = spec.image();
            // a registry of pull-registries: pull what the engine lacks; otherwise create says "import it"
            if (pulls.allowed(image) && images.find(image).isEmpty()) {
                pulls.pull(image, listener);
                listener.phaseTiming("image", Duration.between(start, clock.instant()));
            }
        }
        ContainerPlan plan =
                ContainerManifests.plan(spec, settings, keyFiles.directory(spec.id()), devcontainer, image);
        keyFiles.write(spec);
        start = clock.instant();
        objects.ensureVolume(spec, plan);
        Optional<Container> existing = objects.container(spec.id());
        if (existing.isPresent()
                && !plan.configHash().equals(existing.get().getLabels().get(ContainerManifests.CONFIG_HASH))
                && !"running".equals(existing.get().getState())) {
            objects.remove(existing.get().getId());
            listener.event("container-replaced", "the workspace's spec changed; re-creating its container");
            existing = Optional.empty();
        }
        String id;
        if (existing.isEmpty()) {
            objects.prepareVolume(spec, plan);
            id = objects.create(plan);
            listener.event("container-created", "created container " + plan.containerName() + " from " + plan.image());
        } else {
            id = existing.get().getId();
        }
        boolean started = false;
        if (existing.isEmpty() || !"running".equals(existing.get().getState())) {
            try {
                objects.run(
                        "start container", () -> docker.startContainerCmd(id).exec());
                started = true;
            } catch (ProviderException e) {
                if (!(e.getCause() instanceof NotModifiedException)) throw e;
            }
            listener.phaseTiming("boot", Duration.between(start, clock.instant()));
        }
        secrets.deliver(id, spec.secrets(), settings.runAsUser(), listener);
        if (devcontainer.isPresent()
                && (devcontainer.get().postCreateCommand().isPresent()
                        || devcontainer.get().postStartCommand().isPresent())) {
            // the commands run once the entrypoint is done (HOME exists, sshd answers)
            hooks.run(id, devcontainer.get(), started, () -> observe(spec), listener);
        }
        return observe(spec);
    }

    @Override
    public Observation delete(WorkspaceSpec spec, ProviderListener listener) {
        for (Container c : objects.containers(spec.id())) objects.remove(c.getId());
        for (String volume : objects.volumes(spec.id())) objects.removeVolume(volume);
        keyFiles.delete(spec.id());
        devcontainerImages.delete(spec.id());
        List<String> left = new ArrayList<>();
        objects.containers(spec.id()).forEach(c -> left.add("container " + c.getNames()[0]));
        left.addAll(objects.volumes(spec.id()).stream().map(v -> "volume " + v).toList());
        left.addAll(devcontainerImages.images(spec.id()).stream()
                .map(i -> "image " + i)
                .toList());
        return left.isEmpty() ? new Observation.Absent() : new Observation.Stopping("removing " + left);
    }

    private Optional<SshEndpoint> endpoint(InspectContainerResponse inspected) {
        Map<ExposedPort, Ports.Binding[]> bindings =
                inspected.getNetworkSettings().getPorts().getBindings();
        Ports.Binding[] b = bindings.get(ExposedPort.tcp(ContainerManifests.SSH_PORT));
        if (b == null || b.length == 0 || b[0].getHostPortSpec() == null) return Optional.empty();
        return Optional.of(new SshEndpoint(settings.publishAddress(), Integer.parseInt(b[0].getHostPortSpec())));
    }

    @Override
    public void close() {
        probe.close();
        engine.close();
    }
}
