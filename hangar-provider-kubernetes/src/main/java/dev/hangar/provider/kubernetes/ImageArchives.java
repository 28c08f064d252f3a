package dev.hangar.provider.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hangar.provider.spi.NodeImages.ArchiveInfo;
import dev.hangar.provider.spi.NodeImages.NamedImage;
import dev.hangar.provider.spi.ProviderException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * Reads what an image archive holds, without unpacking it: a docker-archive ({@code docker save},
 * {@code tools/k8s/oci_archive.py}, {@code bin/server-image}: {@code manifest.json} with each image's
 * config file and {@code RepoTags}) or an OCI image layout ({@code index.json} whose manifests carry
 * a full name in {@code io.containerd.image.name} or {@code org.opencontainers.image.ref.name}).
 * Names are normalised as containerd stores them ({@code hangar-server:dev} is {@code
 * docker.io/library/hangar-server:dev}). Stateless; thread-safe.
 */
final class ImageArchives {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_JSON = 4L << 20;
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    private ImageArchives() {}

    /**
     * @throws ProviderException (permanent) naming the file and what is wrong with it
     */
    static ArchiveInfo read(Path archive) {
        try (TarFile tar = new TarFile(archive)) {
            Map<String, TarArchiveEntry> entries = new HashMap<>();
            for (TarArchiveEntry e : tar.getEntries()) entries.put(clean(e.getName()), e);
            if (entries.containsKey("manifest.json")) return docker(archive, tar, entries);
            if (entries.containsKey("index.json")) return oci(archive, tar, entries);
            throw refused(archive, "it has neither manifest.json (docker-archive) nor index.json (OCI layout)");
        } catch (IOException e) {
            throw refused(archive, "it is not a readable tar file (" + e.getMessage() + ")");
        }
    }

    private static ArchiveInfo docker(Path archive, TarFile tar, Map<String, TarArchiveEntry> entries)
            throws IOException {
        JsonNode manifest = json(tar, entries.get("manifest.json"));
        List<NamedImage> images = new ArrayList<>();
        for (JsonNode image : manifest) {
            String config = clean(image.path("Config").asText(""));
            if (!config.matches("(blobs/sha256/)?[0-9a-f]{64}(\\.json)?"))
                throw refused(archive, "manifest.json names the config '" + config + "', not a sha256 file name");
            String digest =
                    "sha256:" + config.replaceFirst("^blobs/sha256/", "").replaceFirst("\\.json$", "");
            for (JsonNode tag : image.path("RepoTags")) images.add(new NamedImage(normalise(tag.asText()), digest));
        }
        if (images.isEmpty())
            throw refused(
                    archive, "manifest.json names no image (no RepoTags): save it with a name (docker save NAME:TAG)");
        return new ArchiveInfo("docker-archive", images);
    }

    private static ArchiveInfo oci(Path archive, TarFile tar, Map<String, TarArchiveEntry> entries) throws IOException {
        JsonNode index = json(tar, entries.get("index.json"));
        List<NamedImage> images = new ArrayList<>();
        for (JsonNode m : index.path("manifests")) {
            JsonNode annotations = m.path("annotations");
            String name = annotations.path("io.containerd.image.name").asText("");
            if (name.isEmpty())
                name = annotations.path("org.opencontainers.image.ref.name").asText("");
            if (name.isEmpty() || !name.contains(":") && !name.contains("/"))
                throw refused(
                        archive,
                        "index.json names an image only by tag ('" + name + "'); export it with its full name"
                                + " (e.g. localhost/tools:1), as `ctr images export` does");
            String digest = m.path("digest").asText("");
            if (!DIGEST.matcher(digest).matches())
                throw refused(archive, "index.json has a manifest digest '" + digest + "' that is not sha256");
            TarArchiveEntry blob = entries.get("blobs/sha256/" + digest.substring(7));
            if (blob == null) throw refused(archive, "the manifest " + digest + " is missing from blobs/sha256");
            String config = json(tar, blob).path("config").path("digest").asText("");
            if (!DIGEST.matcher(config).matches())
                throw refused(
                        archive,
                        "the manifest " + digest + " has no sha256 config digest (a multi-platform index?"
                                + " export one platform)");
            images.add(new NamedImage(normalise(name), config));
        }
        if (images.isEmpty()) throw refused(archive, "index.json lists no image");
        return new ArchiveInfo("oci", images);
    }

    /**
     * The full name containerd gives a reference: {@code docker.io/library/} before a single path
     * component, {@code docker.io/} before a path whose first component is not a host (no dot or
     * colon, not {@code localhost}), {@code :latest} when there is no tag or digest.
     */
    static String normalise(String reference) {
        String ref = reference.strip();
        int slash = ref.indexOf('/');
        if (slash < 0) {
            ref = "docker.io/library/" + ref;
        } else {
            String first = ref.substring(0, slash);
            if (!first.contains(".") && !first.contains(":") && !first.equals("localhost")) ref = "docker.io/" + ref;
        }
        String last = ref.substring(ref.lastIndexOf('/') + 1);
        if (!last.contains(":") && !last.contains("@")) ref = ref + ":latest";
        return ref;
    }

    private static JsonNode json(TarFile tar, TarArchiveEntry entry) throws IOException {
        if (entry.getSize() > MAX_JSON) throw new IOException(entry.getName() + " is larger than 4 MiB");
        try (InputStream in = tar.getInputStream(entry)) {
            return JSON.readTree(in);
        }
    }

    private static String clean(String name) {
        return name.startsWith("./") ? name.substring(2) : name;
    }

    private static ProviderException refused(Path archive, String why) {
        return new ProviderException(
                archive.getFileName() + " is not an image archive hangar can load: " + why
                        + " (expected the output of docker save, podman save, ctr images export or bin/server-image)",
                true);
    }
}
