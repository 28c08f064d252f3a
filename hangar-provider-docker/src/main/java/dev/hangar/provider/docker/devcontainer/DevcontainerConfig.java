package dev.hangar.provider.docker.devcontainer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What Hangar uses of one devcontainer.json (containers.dev reference), read by {@link
 * DevcontainerParser}. Paths are absolute and normalised; the variables {@code
 * ${localWorkspaceFolder}}, {@code ${localWorkspaceFolderBasename}}, {@code
 * ${containerWorkspaceFolder}} and {@code ${containerWorkspaceFolderBasename}} are substituted.
 *
 * @param folder the devcontainer folder (the "local workspace folder"), absolute
 * @param file the devcontainer.json that was read
 * @param image the image to use as is; empty when {@code build} is given
 * @param build how to build the image; empty when {@code image} is given
 * @param containerEnv environment variables set when the container is created
 * @param remoteEnv environment variables of SSH sessions and lifecycle commands
 * @param remoteUser the user lifecycle commands run as; empty for the container's user
 * @param mounts extra mounts, the workspace mount first
 * @param workspaceFolder where the folder is mounted in the container ({@code /workspaces/<basename>})
 * @param postCreateCommand run once, after the container's first start
 * @param postStartCommand run after every start
 * @param forwardPorts ports {@code hangar config-ssh} forwards with {@code LocalForward}
 * @param features local features ({@code ./x}) and registry ones, in install order (the file's,
 *     moved after the features they name in {@code installsAfter} or {@code dependsOn})
 * @param unsupported top-level keys Hangar does not act on, in the order of the file (reported as an
 *     event, never silently dropped)
 */
public record DevcontainerConfig(
        Path folder,
        Path file,
        Optional<String> image,
        Optional<Build> build,
        Map<String, String> containerEnv,
        Map<String, String> remoteEnv,
        Optional<String> remoteUser,
        List<Mount> mounts,
        String workspaceFolder,
        Optional<LifecycleCommand> postCreateCommand,
        Optional<LifecycleCommand> postStartCommand,
        List<ForwardPort> forwardPorts,
        List<Feature> features,
        List<String> unsupported) {

    public DevcontainerConfig {
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(build, "build");
        Objects.requireNonNull(remoteUser, "remoteUser");
        Objects.requireNonNull(workspaceFolder, "workspaceFolder");
        Objects.requireNonNull(postCreateCommand, "postCreateCommand");
        Objects.requireNonNull(postStartCommand, "postStartCommand");
        if (image.isPresent() == build.isPresent())
            throw new IllegalArgumentException("exactly one of image and build must be present");
        containerEnv = Map.copyOf(containerEnv);
        remoteEnv = Map.copyOf(remoteEnv);
        mounts = List.copyOf(mounts);
        forwardPorts = List.copyOf(forwardPorts);
        features = List.copyOf(features);
        unsupported = List.copyOf(unsupported);
    }

    /**
     * {@code build}: a Dockerfile built with its context.
     *
     * @param dockerfile the Dockerfile, absolute (inside {@code context})
     * @param context the build context directory, absolute
     * @param args build arguments ({@code --build-arg})
     * @param target the stage to build; empty for the last
     */
    public record Build(Path dockerfile, Path context, Map<String, String> args, Optional<String> target) {
        public Build {
            Objects.requireNonNull(dockerfile, "dockerfile");
            Objects.requireNonNull(context, "context");
            Objects.requireNonNull(target, "target");
            args = Map.copyOf(args);
        }
    }

    /**
     * One mount ({@code mounts}, {@code workspaceMount}).
     *
     * @param type {@code bind} or {@code volume}
     * @param source a host path inside the devcontainer folder (bind) or a volume name (volume)
     * @param target the absolute path in the container
     * @param readOnly whether it is mounted read-only
     */
    public record Mount(String type, String source, String target, boolean readOnly) {
        public Mount {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(target, "target");
        }
    }

    /**
     * A lifecycle command in any of its three forms: a string (run by {@code /bin/sh -c}), an array
     * (run as is, no shell) or an object of named commands of either form.
     *
     * @param steps command lines by name, in the order of the file; the single unnamed command of
     *     the string and array forms has the name {@code ""}
     */
    public record LifecycleCommand(Map<String, List<String>> steps) {
        public LifecycleCommand {
            steps = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(steps));
        }
    }

    /**
     * A {@code forwardPorts} entry: a number (on {@code localhost}) or {@code "host:port"}.
     *
     * @param host the host as the workspace resolves it
     * @param port 1-65535
     */
    public record ForwardPort(String host, int port) {
        public ForwardPort {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) throw new IllegalArgumentException("port must be 1-65535, got " + port);
        }
    }

    /**
     * A feature: a local one ({@code "./x": {options}}) or one from an OCI registry ({@code
     * "ghcr.io/devcontainers/features/node:1": {options}}), which is fetched into a folder before the
     * build ({@link RegistryFeatures}) and then installed like a local one.
     *
     * @param id the key as written, e.g. {@code ./hello}
     * @param source where the feature's files are
     * @param options option values as given in devcontainer.json, by option name
     */
    public record Feature(String id, Source source, Map<String, String> options) {
        public Feature {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(source, "source");
            options = Map.copyOf(options);
        }

        /** A local feature in {@code directory}. */
        public Feature(String id, Path directory, Map<String, String> options) {
            this(id, new Local(directory), options);
        }

        /**
         * @return the feature's folder (devcontainer-feature.json and install.sh), absolute
         * @throws IllegalStateException for a registry feature not yet fetched ({@link #fetched})
         */
        public Path directory() {
            return switch (source) {
                case Local l -> l.directory();
                case Registry r ->
                    throw new IllegalStateException("registry feature " + r.reference() + " was not fetched yet");
            };
        }

        /** @return the registry reference; empty for a local feature */
        public Optional<FeatureReference> reference() {
            return source instanceof Registry r ? Optional.of(r.reference()) : Optional.empty();
        }

        /** @return this feature with its files in {@code directory} (where a registry feature was fetched to) */
        public Feature fetched(Path directory) {
            return new Feature(id, new Local(directory), options);
        }
    }

    /** Where a feature's files are. */
    public sealed interface Source permits Local, Registry {}

    /** @param directory the feature's folder, absolute */
    public record Local(Path directory) implements Source {
        public Local {
            Objects.requireNonNull(directory, "directory");
        }
    }

    /** @param reference the feature in its registry */
    public record Registry(FeatureReference reference) implements Source {
        public Registry {
            Objects.requireNonNull(reference, "reference");
        }
    }

    /** @return this config with {@code features} in place of its own (registry features fetched) */
    public DevcontainerConfig withFeatures(List<Feature> features) {
        return new DevcontainerConfig(
                folder,
                file,
                image,
                build,
                containerEnv,
                remoteEnv,
                remoteUser,
                mounts,
                workspaceFolder,
                postCreateCommand,
                postStartCommand,
                forwardPorts,
                features,
                unsupported);
    }
}
