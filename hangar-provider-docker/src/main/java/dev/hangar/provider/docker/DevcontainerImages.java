package dev.hangar.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.Image;
import dev.hangar.provider.docker.devcontainer.DevcontainerConfig;
import dev.hangar.provider.docker.devcontainer.DevcontainerStage;
import dev.hangar.provider.docker.devcontainer.FeatureOrder;
import dev.hangar.provider.docker.devcontainer.FeatureReference;
import dev.hangar.provider.docker.devcontainer.RegistryFeatures;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds the image of a devcontainer workspace through the engine's build API (docker-java's
 * {@code buildImageCmd}, which tars the context): the devcontainer's own {@code build} first
 * (tagged {@code :base}), then Hangar's stage on top of it or of {@code image}
 * ({@link DevcontainerStage}: features, sshd), tagged {@link #tag}. Features given by OCI
 * reference are fetched first ({@link RegistryFeatures}) into a folder that is removed afterwards.
 * Both images carry the workspace's labels, so {@link #delete} finds them. Build output lines become events ({@code
 * devcontainer-build}, at most {@value #MAX_EVENTS} per build); a failing build's last lines go in
 * the exception. Pulls an {@code image} the engine lacks only from a registry of {@code
 * pull-registries} ({@link ImagePulls}); a Dockerfile's {@code FROM} is never pulled. Thread-safe for
 * different workspaces.
 */
final class DevcontainerImages {
    static final int MAX_EVENTS = 200;
    private static final int TAIL = 12;

    private final DockerEngine engine;
    private final DockerClient docker;
    private final Path workDir;
    private final long runAsUser;
    private final RegistryFeatures registryFeatures;
    private final ImagePulls pulls;

    /**
     * @param pulls pulls a missing {@code image} from a registry of pull-registries
     * @param workDir a directory for the generated build contexts and fetched features (removed
     *     after each build)
     * @param registryFeatures fetches features given by OCI reference
     */
    DevcontainerImages(
            DockerEngine engine, ImagePulls pulls, Path workDir, long runAsUser, RegistryFeatures registryFeatures) {
        this.engine = engine;
        this.pulls = pulls;
        this.docker = engine.client();
        this.workDir = workDir;
        this.runAsUser = runAsUser;
        this.registryFeatures = registryFeatures;
    }

    /** @return the image reference of workspace {@code id}'s devcontainer */
    static String tag(String id) {
        return "localhost/hangar/devcontainer-" + id + ":latest";
    }

    static String baseTag(String id) {
        return "localhost/hangar/devcontainer-" + id + ":base";
    }

    /**
     * Builds the workspace's image unless it exists. Blocking (a build may take minutes).
     *
     * @return the image reference to run
     * @throws ProviderException (permanent) when a build step fails, with its last output lines, or
     *     when the base image is not in the engine; transient when the engine does not answer
     */
    String ensure(WorkspaceSpec spec, DevcontainerConfig config, ProviderListener listener) {
        String tag = tag(spec.id());
        if (exists(tag)) return tag;
        Path fetched = workDir.resolve("features-" + spec.id());
        try {
            return build(spec, fetch(config, fetched, listener), listener);
        } finally {
            removeTree(fetched);
        }
    }

    /**
     * Fetches the registry features of {@code config} into folders under {@code dir} (before any
     * build, so an unreachable registry fails fast), then orders all features ({@link FeatureOrder}).
     *
     * @return {@code config} with every feature local
     */
    private DevcontainerConfig fetch(DevcontainerConfig config, Path dir, ProviderListener listener) {
        removeTree(dir);
        List<DevcontainerConfig.Feature> features = new java.util.ArrayList<>();
        int n = 0;
        for (DevcontainerConfig.Feature f : config.features()) {
            if (f.reference().isEmpty()) {
                features.add(f);
                continue;
            }
            FeatureReference ref = f.reference().get();
            Path into = dir.resolve(String.valueOf(n++));
            listener.event("devcontainer-feature", "fetching feature " + ref + " from " + ref.registry());
            String digest = registryFeatures.fetch(ref, into);
            listener.event("devcontainer-feature", "fetched feature " + ref + " (manifest " + digest + ")");
            features.add(f.fetched(into));
        }
        return config.withFeatures(FeatureOrder.order(config.file(), features));
    }

    private String build(WorkspaceSpec spec, DevcontainerConfig config, ProviderListener listener) {
        String tag = tag(spec.id());
        if (!config.unsupported().isEmpty())
            listener.event(
                    "devcontainer-unsupported",
                    config.file() + ": Hangar ignores " + config.unsupported() + " (see docs/devcontainer.md)");
        List<String> overridden = ContainerManifests.overriddenEnv(config);
        if (!overridden.isEmpty())
            listener.event(
                    "devcontainer-unsupported",
                    config.file() + ": containerEnv " + overridden + " is set by Hangar itself (the image contract)");
        Map<String, String> labels = ContainerManifests.labels(spec);
        String base;
        if (config.build().isPresent()) {
            DevcontainerConfig.Build b = config.build().get();
            BuildImageCmd cmd = docker.buildImageCmd()
                    .withBaseDirectory(b.context().toFile())
                    .withDockerfile(b.dockerfile().toFile())
                    .withTags(Set.of(baseTag(spec.id())))
                    .withLabels(labels)
                    .withPull(false)
                    .withRemove(true)
                    .withForcerm(true);
            b.args().forEach(cmd::withBuildArg);
            b.target().ifPresent(cmd::withTarget);
            listener.event("devcontainer-build", "building " + b.dockerfile() + " (context " + b.context() + ")");
            run(cmd, "build of " + b.dockerfile(), listener);
            base = baseTag(spec.id());
        } else {
            base = config.image().orElseThrow();
            if (!exists(base) && pulls.allowed(base)) pulls.pull(base, listener);
            if (!exists(base))
                throw new ProviderException(
                        "image " + base + " of " + config.file() + " is not in the engine at " + engine.socket()
                                + "; Hangar does not pull from " + ImagePulls.registry(base) + ": import or build it"
                                + " first, or have an administrator list the registry in"
                                + " providers.docker.pull-registries",
                        true);
        }
        Path context = writeContext(spec.id(), config, base);
        try {
            BuildImageCmd cmd = docker.buildImageCmd()
                    .withBaseDirectory(context.toFile())
                    .withDockerfile(context.resolve("Dockerfile").toFile())
                    .withTags(Set.of(tag))
                    .withLabels(labels)
                    .withPull(false)
                    .withRemove(true)
                    .withForcerm(true);
            listener.event(
                    "devcontainer-build",
                    "building Hangar's stage on " + base + " ("
                            + config.features().size() + " feature(s), sshd)");
            run(cmd, "Hangar's devcontainer stage", listener);
        } finally {
            removeTree(context);
        }
        listener.event("devcontainer-built", "built " + tag);
        return tag;
    }

    /** Removes every image labelled with workspace {@code id}; idempotent. */
    void delete(String id) {
        List<Image> images = call(
                "list images",
                () -> docker.listImagesCmd()
                        .withLabelFilter(Map.of(ContainerManifests.WORKSPACE_ID, id))
                        .exec());
        // the stage (a child) before its :base parent
        for (Image i : images.stream()
                .sorted(Comparator.comparingLong((Image i) -> i.getCreated() == null ? 0 : i.getCreated())
                        .reversed())
                .toList()) {
            call("remove image", () -> {
                try {
                    docker.removeImageCmd(i.getId()).withForce(true).exec();
                } catch (NotFoundException e) {
                    // gone already
                }
                return null;
            });
        }
    }

    /** @return the images labelled with workspace {@code id}, as "id [tags]" */
    List<String> images(String id) {
        return call(
                        "list images",
                        () -> docker.listImagesCmd()
                                .withLabelFilter(Map.of(ContainerManifests.WORKSPACE_ID, id))
                                .exec())
                .stream()
                .map(i -> i.getId() + " " + java.util.Arrays.toString(i.getRepoTags()))
                .toList();
    }

    private boolean exists(String image) {
        try {
            call("inspect image", () -> docker.inspectImageCmd(image).exec());
            return true;
        } catch (ProviderException e) {
            if (e.getCause() instanceof NotFoundException) return false;
            throw e;
        }
    }

    private void run(BuildImageCmd cmd, String what, ProviderListener listener) {
        Deque<String> tail = new ArrayDeque<>();
        String[] error = {null};
        int[] events = {0};
        ResultCallback.Adapter<BuildResponseItem> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(BuildResponseItem item) {
                if (item.isErrorIndicated()) {
                    error[0] = item.getErrorDetail() != null
                                    && item.getErrorDetail().getMessage() != null
                            ? item.getErrorDetail().getMessage()
                            : item.getError();
                }
                if (item.getStream() == null) return;
                for (String line : item.getStream().strip().lines().toList()) {
                    if (line.isBlank()) continue;
                    synchronized (tail) {
                        tail.addLast(line);
                        if (tail.size() > TAIL) tail.removeFirst();
                    }
                    if (events[0]++ < MAX_EVENTS) listener.event("devcontainer-build", line);
                }
            }
        };
        try {
            call(what, () -> {
                try {
                    return cmd.exec(callback).awaitCompletion(30, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ProviderException(what + " interrupted", false, e);
                }
            });
        } catch (ProviderException e) {
            if (error[0] == null) throw e;
        }
        if (error[0] != null) {
            String last;
            synchronized (tail) {
                last = String.join(" | ", tail);
            }
            throw new ProviderException(what + " failed: " + error[0].strip() + "; last lines: " + last, true);
        }
    }

    private Path writeContext(String id, DevcontainerConfig config, String base) {
        Path dir = workDir.resolve("build-" + id);
        try {
            removeTree(dir);
            Map<String, byte[]> files = DevcontainerStage.context(
                    config, base, runAsUser, resource("entrypoint.sh"), resource("sshd_config"));
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Path p = dir.resolve(f.getKey());
                Files.createDirectories(p.getParent());
                Files.write(p, f.getValue());
            }
            return dir;
        } catch (IOException e) {
            throw new ProviderException("cannot write the build context " + dir + ": " + e, true, e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = DevcontainerImages.class.getResourceAsStream("workspace/" + name)) {
            if (in == null) throw new IllegalStateException("missing resource workspace/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void removeTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // a left-over context is rewritten by the next build
        }
    }

    private <T> T call(String what, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw engine.translate(what, e);
        }
    }
}
