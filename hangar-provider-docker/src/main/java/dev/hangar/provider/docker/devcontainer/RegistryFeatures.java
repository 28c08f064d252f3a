package dev.hangar.provider.docker.devcontainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.hangar.provider.docker.devcontainer.RegistryClient.RegistryException;
import dev.hangar.provider.spi.ProviderException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Brings a feature published in an OCI registry into a local folder, as the Dev Container Features
 * distribution spec publishes them: the OCI image manifest of the reference, its one layer of media
 * type {@value #LAYER_TYPE} (a tar of the feature's folder: devcontainer-feature.json, install.sh
 * and whatever they use), the layer's digest and size verified ({@link RegistryClient}), unpacked
 * with regular files and folders only (no links, nothing outside the folder). The folder is then
 * installed exactly as a local feature is ({@link DevcontainerStage}).
 *
 * <p>Before any network use the registry must be listed in the provider's {@code feature-registries}
 * setting (security by default: otherwise any member could make the server send requests to any
 * host). Every failure is a permanent {@link ProviderException} naming the feature reference, the
 * registry host, the cause and what to do (mirror it, a local feature, or an image with the feature
 * installed). Thread-safe.
 */
public final class RegistryFeatures {
    /** The media type of a feature's layer (Dev Container Features distribution spec). */
    public static final String LAYER_TYPE = "application/vnd.devcontainers.layer.v1+tar";

    static final long MAX_MANIFEST = 4L << 20;
    static final long MAX_LAYER = 64L << 20;
    private static final long MAX_UNPACKED = 256L << 20;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final RegistryClient client;
    private final Set<String> allowed;

    /**
     * @param allowed the registries ({@code host} or {@code host:port}, lower case) features may come
     *     from; empty refuses every registry feature
     */
    public RegistryFeatures(RegistryClient client, Set<String> allowed) {
        this.client = client;
        this.allowed = Set.copyOf(allowed);
    }

    /**
     * Fetches {@code ref}'s feature into {@code into} (created; must not exist).
     *
     * @return the manifest's digest (what was installed, for the events)
     * @throws ProviderException (permanent) when the registry is not allowed or cannot be used, the
     *     manifest has no feature layer, a digest does not match, or the layer is not a feature
     */
    public String fetch(FeatureReference ref, Path into) {
        if (!allowed.contains(ref.registry()))
            throw new ProviderException(
                    "feature '" + ref + "': registry " + ref.registry() + " is not in the docker provider's"
                            + " feature-registries setting " + new TreeSet<>(allowed) + "; an administrator may add it"
                            + " (providers.docker.feature-registries), or copy the feature's folder next to"
                            + " devcontainer.json and name it './<folder>'",
                    true);
        try {
            RegistryClient.Fetched manifest = client.manifest(ref, MAX_MANIFEST);
            Layer layer = layer(manifest.body());
            byte[] tar = client.blob(ref, layer.digest(), layer.size()).body();
            unpack(tar, into);
            if (!Files.isRegularFile(into.resolve("install.sh")))
                throw new RegistryException("its layer has no install.sh at the top");
            return manifest.digest();
        } catch (RegistryException e) {
            throw new ProviderException(
                    "feature '" + ref + "' from registry " + ref.registry() + ": " + e.getMessage() + ". "
                            + remedy(ref),
                    true,
                    e);
        }
    }

    /** What the user can do when a registry cannot be used. */
    static String remedy(FeatureReference ref) {
        String name = ref.repository().substring(ref.repository().lastIndexOf('/') + 1);
        return "The server fetches features itself, so its host must reach the registry. Otherwise: mirror the"
                + " feature to a registry it reaches (e.g. `oras copy " + ref + " MIRROR/" + ref.repository()
                + "`, then list MIRROR in providers.docker.feature-registries), or copy the feature's folder next"
                + " to devcontainer.json and name it './" + name + "', or build an image with the feature"
                + " installed elsewhere, `hangar image import` it and name it in `image`";
    }

    /** The feature layer of a manifest: its digest and size. */
    record Layer(String digest, long size) {}

    /**
     * @return the one layer of media type {@value #LAYER_TYPE} in an OCI image manifest
     * @throws RegistryException when the manifest is not JSON, not an image manifest, or has no such
     *     layer (or more than one)
     */
    static Layer layer(byte[] manifest) {
        JsonNode m;
        try {
            m = JSON.readTree(manifest);
        } catch (IOException e) {
            throw new RegistryException("its manifest is not JSON");
        }
        if (m == null || !m.path("layers").isArray())
            throw new RegistryException("its manifest is not an image manifest (no layers; an index or a"
                    + " different kind of artifact?)");
        List<Layer> found = new ArrayList<>();
        List<String> types = new ArrayList<>();
        for (JsonNode l : m.path("layers")) {
            String type = l.path("mediaType").asText();
            types.add(type);
            if (!LAYER_TYPE.equals(type)) continue;
            if (!l.path("size").canConvertToLong() || l.path("size").asLong() < 0)
                throw new RegistryException("its feature layer has no valid size");
            if (l.path("size").asLong() > MAX_LAYER)
                throw new RegistryException(
                        "its feature layer has " + l.path("size").asLong() + " bytes, more than " + MAX_LAYER);
            found.add(new Layer(l.path("digest").asText(), l.path("size").asLong()));
        }
        if (found.size() != 1)
            throw new RegistryException("it is not a devcontainer feature: its manifest has "
                    + (found.isEmpty() ? "no" : found.size()) + " layer(s) of media type " + LAYER_TYPE
                    + " (layers: " + types + ")");
        return found.getFirst();
    }

    /**
     * Unpacks a feature's tar into {@code into}: regular files (keeping the owner-executable bit)
     * and folders; anything else, an absolute name or one leaving the folder is refused.
     *
     * @throws RegistryException for such an entry or an unreadable tar
     */
    static void unpack(byte[] tar, Path into) {
        try {
            Files.createDirectories(into);
            long total = 0;
            try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
                for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    String name = e.getName();
                    Path target = into.resolve(name).normalize();
                    if (name.startsWith("/") || !target.startsWith(into))
                        throw new RegistryException("its layer has an entry outside the feature's folder: " + name);
                    if (e.isDirectory()) {
                        Files.createDirectories(target);
                    } else if (e.getLinkFlag() == TarArchiveEntry.LF_NORMAL
                            || e.getLinkFlag() == TarArchiveEntry.LF_OLDNORM) {
                        // not isFile(): commons-compress counts links and devices as files too
                        total += e.getSize();
                        if (total > MAX_UNPACKED)
                            throw new RegistryException("its layer unpacks to more than " + MAX_UNPACKED + " bytes");
                        Files.createDirectories(target.getParent());
                        Files.copy(in, target);
                        if ((e.getMode() & 0100) != 0)
                            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                    } else {
                        throw new RegistryException("its layer has " + kind(e) + " '" + name
                                + "'; Hangar unpacks regular files and folders only");
                    }
                }
            }
        } catch (IOException e) {
            throw new RegistryException("its layer is not a readable tar archive: " + e.getMessage(), e);
        }
    }

    private static String kind(TarArchiveEntry e) {
        if (e.isSymbolicLink()) return "a symbolic link";
        if (e.isLink()) return "a hard link";
        if (e.isCharacterDevice() || e.isBlockDevice()) return "a device";
        if (e.isFIFO()) return "a FIFO";
        return "an entry of type " + String.valueOf((char) e.getLinkFlag()).toLowerCase(Locale.ROOT);
    }
}
