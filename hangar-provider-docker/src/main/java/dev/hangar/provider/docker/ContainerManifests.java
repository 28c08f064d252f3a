package dev.hangar.provider.docker;

import dev.hangar.provider.docker.devcontainer.DevcontainerConfig;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Builds what one workspace needs from an engine, without an engine (pure, unit-tested): the
 * container ({@link ContainerPlan}) and the SSH files mounted into it. The image contract is
 * images/workspace/README.md: a non-root uid running sshd on {@value #SSH_PORT}, the host key, its
 * certificate and {@code authorized_keys} read from {@value #SSH_DIR}, HOME on the volume at
 * {@value #STORAGE}.
 *
 * <p>Template settings ({@link WorkspaceSpec#settings()}): {@code privileged} ({@code true} |
 * {@code false}); other keys are refused. Thread-safe (stateless).
 */
public final class ContainerManifests {
    /** Label holding the workspace id; observe, apply and delete find every resource by it. */
    public static final String WORKSPACE_ID = "dev.hangar.workspace-id";
    /** Label holding the owner's name. */
    public static final String OWNER = "dev.hangar.owner";
    /** Label holding the workspace name. */
    public static final String NAME = "dev.hangar.name";
    /** Label {@code hangar}: what Hangar made. */
    public static final String MANAGED_BY = "dev.hangar.managed-by";
    /** Label holding {@link ContainerPlan#configHash()}. */
    public static final String CONFIG_HASH = "dev.hangar.config-hash";
    /**
     * The image contract's entrypoint, set on every container so that images imported from a rootfs
     * tarball (which carry no configuration) work too.
     */
    public static final String ENTRYPOINT = "/opt/hangar/entrypoint.sh";
    /** The port sshd listens on inside the container. */
    public static final int SSH_PORT = 2222;
    /** Where the SSH files are mounted (read-only). */
    public static final String SSH_DIR = "/etc/hangar/ssh";
    /** Where the home volume is mounted. */
    public static final String STORAGE = "/storage";
    /**
     * Where the owner's secrets are: a tmpfs (mode 0700, 4 MiB: 50 secrets of 64 KiB fit), filled
     * and given to the run-as user by {@link SecretDelivery} at every start; never a bind mount of a host
     * file, never an image layer.
     */
    public static final String SECRETS_DIR = dev.hangar.provider.spi.SecretFile.MOUNT_PATH;

    /**
     * The spec setting naming a devcontainer folder on the server host (set by the core for {@code
     * hangar create --devcontainer DIR}, not by templates).
     */
    public static final String DEVCONTAINER = "devcontainer";

    private static final Set<String> TEMPLATE_KEYS = Set.of("privileged", DEVCONTAINER);
    private static final Pattern KEY_TYPE = Pattern.compile("ssh-([a-z0-9]+)");

    private ContainerManifests() {}

    /** @return the container name of workspace {@code id} */
    public static String containerName(String id) {
        return "hangar-" + id;
    }

    /** @return the home volume name of workspace {@code id} */
    public static String volumeName(String id) {
        return "hangar-" + id + "-home";
    }

    /**
     * Builds the desired container.
     *
     * @param keyDirectory the host directory {@link #sshFiles} are written to
     * @throws ProviderException (permanent) for unknown or malformed template settings, and when the
     *     template asks for {@code privileged=true} but {@code allow-privileged} is off
     */
    public static ContainerPlan plan(WorkspaceSpec spec, DockerSettings settings, Path keyDirectory) {
        return plan(spec, settings, keyDirectory, Optional.empty(), spec.image());
    }

    /**
     * Builds the desired container of a workspace, with a devcontainer's additions when present:
     * its {@code containerEnv} (a name Hangar sets itself, such as HOME, is left to Hangar: see
     * {@link #overriddenEnv}) and its mounts, and the devcontainer's built {@code image}.
     *
     * @param image the image reference to run ({@code spec.image()} without a devcontainer)
     * @throws ProviderException as {@link #plan(WorkspaceSpec, DockerSettings, Path)}
     */
    public static ContainerPlan plan(
            WorkspaceSpec spec,
            DockerSettings settings,
            Path keyDirectory,
            Optional<DevcontainerConfig> devcontainer,
            String image) {
        boolean privileged = privileged(spec, settings);
        String user = settings.runAsUser() + ":" + settings.runAsUser();
        List<String> hangarEnv = List.of(
                "HANGAR_USER=" + spec.sshUser(),
                "HOME=" + STORAGE + "/home/" + spec.sshUser(),
                "HANGAR_SSH_DIR=" + SSH_DIR,
                "HANGAR_SSH_PORT=" + SSH_PORT,
                "HANGAR_STORAGE=" + STORAGE,
                "HANGAR_RUN_DIR=/opt/hangar/run",
                "LANG=C.UTF-8");
        List<String> env = new ArrayList<>();
        Set<String> hangarNames = new TreeSet<>();
        hangarEnv.forEach(e -> hangarNames.add(e.substring(0, e.indexOf('='))));
        devcontainer.ifPresent(d -> new TreeMap<>(d.containerEnv()).forEach((k, v) -> {
            if (!hangarNames.contains(k)
                    && !dev.hangar.provider.docker.devcontainer.DevcontainerStage.IMAGE_CONTRACT_ENV.contains(k))
                env.add(k + "=" + v);
        }));
        env.addAll(hangarEnv);
        List<DevcontainerConfig.Mount> mounts =
                devcontainer.map(DevcontainerConfig::mounts).orElse(List.of());
        long nanoCpus = spec.resources().cpus() * 1_000_000_000L;
        long memory = spec.resources().memoryBytes();
        Map<String, String> tmpfs = Map.of(SECRETS_DIR, secretsTmpfsOptions());
        // the tmpfs is in the hash: a container made before secrets existed is re-created (when stopped) with it
        String hash = hash(image + "\n" + user + "\n" + env + "\n" + keyDirectory + "\n" + nanoCpus + "\n" + memory
                + "\n" + privileged + (mounts.isEmpty() ? "" : "\n" + mounts) + "\n" + tmpfs);
        Map<String, String> labels = new TreeMap<>(labels(spec));
        labels.put(CONFIG_HASH, hash);
        return new ContainerPlan(
                containerName(spec.id()),
                volumeName(spec.id()),
                image,
                user,
                env,
                labels,
                keyDirectory.toString(),
                nanoCpus,
                memory,
                privileged,
                mounts,
                tmpfs,
                hash);
    }

    /**
     * @return the mount options of the secrets tmpfs: 0700, 4 MiB, no exec/suid/dev. Not {@code
     *     uid=}: Podman refuses it ("unknown mount option"); {@link SecretDelivery} gives the
     *     directory to the run-as user when it fills it
     */
    static String secretsTmpfsOptions() {
        return "rw,noexec,nosuid,nodev,size=4m,mode=0700";
    }

    /**
     * The host configuration of the workspace container: the SSH directory read-only and the home
     * volume bound, the secrets tmpfs, the SSH port published on {@code publishAddress}, limits.
     */
    static com.github.dockerjava.api.model.HostConfig hostConfig(ContainerPlan plan, String publishAddress) {
        var ssh = com.github.dockerjava.api.model.ExposedPort.tcp(SSH_PORT);
        List<com.github.dockerjava.api.model.Bind> binds = new ArrayList<>(List.of(
                new com.github.dockerjava.api.model.Bind(
                        plan.keyDirectory(),
                        new com.github.dockerjava.api.model.Volume(SSH_DIR),
                        com.github.dockerjava.api.model.AccessMode.ro),
                new com.github.dockerjava.api.model.Bind(
                        plan.volumeName(), new com.github.dockerjava.api.model.Volume(STORAGE))));
        for (DevcontainerConfig.Mount m : plan.mounts())
            binds.add(new com.github.dockerjava.api.model.Bind(
                    m.source(),
                    new com.github.dockerjava.api.model.Volume(m.target()),
                    m.readOnly()
                            ? com.github.dockerjava.api.model.AccessMode.ro
                            : com.github.dockerjava.api.model.AccessMode.rw));
        return com.github.dockerjava.api.model.HostConfig.newHostConfig()
                .withBinds(binds)
                .withTmpFs(plan.tmpfs())
                .withPortBindings(new com.github.dockerjava.api.model.PortBinding(
                        com.github.dockerjava.api.model.Ports.Binding.bindIp(publishAddress), ssh))
                .withNanoCPUs(plan.nanoCpus())
                .withMemory(plan.memoryBytes())
                .withMemorySwap(plan.memoryBytes())
                .withPrivileged(plan.privileged());
    }

    /**
     * @return the containerEnv names of {@code devcontainer} that Hangar sets itself (HOME, LANG and
     *     the HANGAR_ variables of the image contract) and so does not take from it
     */
    public static List<String> overriddenEnv(DevcontainerConfig devcontainer) {
        Set<String> ours = dev.hangar.provider.docker.devcontainer.DevcontainerStage.IMAGE_CONTRACT_ENV;
        return devcontainer.containerEnv().keySet().stream()
                .filter(ours::contains)
                .sorted()
                .toList();
    }

    /** @return the labels every resource of the workspace carries (without the config hash) */
    public static Map<String, String> labels(WorkspaceSpec spec) {
        return Map.of(WORKSPACE_ID, spec.id(), OWNER, spec.owner(), NAME, spec.name(), MANAGED_BY, "hangar");
    }

    /**
     * The files of the SSH directory, by file name: {@code authorized_keys}, {@code
     * ssh_host_<type>_key}, {@code ssh_host_<type>_key.pub} and {@code ssh_host_<type>_key-cert.pub}
     * (the names images/workspace/entrypoint.sh reads). Contains the private host key: callers
     * write it with mode 0600 only.
     */
    public static Map<String, String> sshFiles(WorkspaceSpec spec) {
        var m = KEY_TYPE.matcher(spec.hostKey().algorithm());
        String type = m.matches() ? m.group(1) : "ed25519";
        if (spec.hostKey().algorithm().startsWith("ecdsa")) type = "ecdsa";
        String base = "ssh_host_" + type + "_key";
        Map<String, String> files = new LinkedHashMap<>();
        files.put("authorized_keys", lines(spec.authorizedKeys()));
        files.put(base, withNewline(spec.hostKey().privateKeyOpenSsh()));
        files.put(base + ".pub", withNewline(spec.hostKey().publicKey()));
        files.put(base + "-cert.pub", withNewline(spec.hostCertificate()));
        return files;
    }

    private static boolean privileged(WorkspaceSpec spec, DockerSettings settings) {
        Set<String> unknown = new TreeSet<>(spec.settings().keySet());
        unknown.removeAll(TEMPLATE_KEYS);
        if (!unknown.isEmpty()) {
            throw new ProviderException(
                    "template '" + spec.template() + "' has unknown docker setting(s) " + unknown + "; known: "
                            + TEMPLATE_KEYS,
                    true);
        }
        boolean asked = DockerSettings.bool("privileged", spec.settings().getOrDefault("privileged", "false"));
        if (asked && !settings.allowPrivileged()) {
            throw new ProviderException(
                    "template '" + spec.template() + "' asks for privileged=true (USB/IP), which this server does not"
                            + " allow; an administrator must set providers.docker.allow-privileged: true",
                    true);
        }
        return asked;
    }

    private static String lines(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) out.add(l.strip());
        return out.isEmpty() ? "" : String.join("\n", out) + "\n";
    }

    private static String withNewline(String s) {
        return s.endsWith("\n") ? s : s + "\n";
    }

    private static String hash(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)))
                    .substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
