package dev.hangar.provider.docker;

import dev.hangar.provider.docker.devcontainer.DevcontainerConfig;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The desired container of one workspace, as plain values (built by {@link ContainerManifests},
 * applied by {@link DockerProvider}).
 *
 * @param containerName the engine's container name ({@code hangar-<id>})
 * @param volumeName the named volume holding the home ({@code hangar-<id>-home})
 * @param image the image reference
 * @param user {@code uid:gid} the container runs as
 * @param env environment variables, {@code KEY=value}
 * @param labels labels on the container and the volume; {@link ContainerManifests#WORKSPACE_ID} finds them
 * @param keyDirectory host directory with the SSH files, mounted read-only at {@link ContainerManifests#SSH_DIR}
 * @param nanoCpus CPU limit in units of 10^-9 CPUs
 * @param memoryBytes memory limit in bytes (swap limited to the same value: no swap)
 * @param privileged whether the container runs privileged (USB/IP)
 * @param mounts further mounts (a devcontainer's workspace mount and {@code mounts}); empty for none
 * @param tmpfs tmpfs mounts, path to mount options ({@link ContainerManifests#SECRETS_DIR}: the
 *     user's secrets, copied in at start, never on a disk)
 * @param configHash a digest of everything above, stored as a label so a changed spec is noticed
 */
public record ContainerPlan(
        String containerName,
        String volumeName,
        String image,
        String user,
        List<String> env,
        Map<String, String> labels,
        String keyDirectory,
        long nanoCpus,
        long memoryBytes,
        boolean privileged,
        List<DevcontainerConfig.Mount> mounts,
        Map<String, String> tmpfs,
        String configHash) {
    public ContainerPlan {
        Objects.requireNonNull(containerName, "containerName");
        Objects.requireNonNull(volumeName, "volumeName");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(keyDirectory, "keyDirectory");
        Objects.requireNonNull(configHash, "configHash");
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
        mounts = List.copyOf(mounts);
        tmpfs = Map.copyOf(tmpfs);
    }
}
