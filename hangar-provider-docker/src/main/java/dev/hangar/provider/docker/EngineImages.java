package dev.hangar.provider.docker;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Image;
import dev.hangar.provider.spi.ImageInUseException;
import dev.hangar.provider.spi.ImageInfo;
import dev.hangar.provider.spi.ImageState;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.PullStatus;
import dev.hangar.provider.spi.UnknownImageException;
import dev.hangar.provider.spi.WorkspaceImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The container engine's images as {@code hangar image} shows them: every tagged image in the engine
 * ({@code GET /images/json}), named by its reference ({@code repository:tag}); import of a root
 * filesystem tarball on the server host ({@link ContainerImages#importRootfs}, what offline hosts
 * have); delete of an image no workspace container uses. {@link #pull} never pulls (hosts may be
 * offline): it answers for an image the engine has and refuses any other with the remedy; workspaces
 * pull images of the registries in {@code pull-registries} themselves ({@link ImagePulls}). Untagged images ({@code <none>:<none>}, e.g. build layers) are not listed.
 *
 * <p>Source of the facts: the engine, on every call (no cache). Thread-safe (docker-java's client
 * is). Errors of the engine become {@link ProviderException}s naming the socket setting.
 */
final class EngineImages implements WorkspaceImages {
    private static final String NONE = "<none>:<none>";

    private final DockerEngine engine;
    private final ImagePulls pulls;

    EngineImages(DockerEngine engine, ImagePulls pulls) {
        this.engine = engine;
        this.pulls = pulls;
    }

    /** @return every tagged image of the engine, one entry per reference, sorted by name */
    @Override
    public List<ImageInfo> list() {
        engine.precheck();
        List<Image> images;
        try {
            images = engine.client().listImagesCmd().exec();
        } catch (RuntimeException e) {
            throw engine.translate("list images", e);
        }
        Map<String, ImageInfo> byName = new TreeMap<>();
        for (Image i : images) {
            if (i.getRepoTags() == null) continue;
            for (String tag : i.getRepoTags()) {
                if (tag.equals(NONE)) continue;
                byName.put(tag, info(tag, i.getId(), i.getSize() == null ? 0 : i.getSize()));
            }
        }
        return new ArrayList<>(byName.values());
    }

    @Override
    public Optional<ImageInfo> find(String name) {
        // the engine answers 400 to a malformed reference; for a lookup that is simply "no such image"
        if (!ContainerImages.validReference(withTag(name))) return Optional.empty();
        engine.precheck();
        try {
            InspectImageResponse r = engine.client().inspectImageCmd(name).exec();
            return Optional.of(info(name, r.getId(), r.getSize() == null ? 0 : r.getSize()));
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw engine.translate("inspect image " + name, e);
        }
    }

    /**
     * Never pulls here: the SPI's pull is a background download with progress, which the engine's
     * pull API is not made into yet; images of a registry in {@code pull-registries} are pulled
     * when a workspace needs them ({@link ImagePulls}).
     *
     * @return the image when the engine has it
     * @throws UnknownImageException otherwise, saying how to bring it in
     */
    @Override
    public ImageInfo pull(String name) {
        return find(name)
                .orElseThrow(() -> new UnknownImageException("image '" + name + "' is not in the container engine at "
                        + engine.socket() + ", and Hangar does not pull container images: import a rootfs tarball"
                        + " (`hangar image import ROOTFS.tar --name " + name + " --provider docker`), or docker"
                        + " load/pull it on the server host"
                        + (pulls.allowed(withTag(name))
                                ? "; a workspace that names it pulls it (its registry " + ImagePulls.registry(name)
                                        + " is in providers.docker.pull-registries)"
                                : "")));
    }

    /**
     * Imports a root filesystem tarball (optionally gzip-compressed) on the server host as {@code
     * name}. Blocking.
     *
     * @param name {@code repository:tag}; a name without a tag gets {@code :latest}
     * @throws ImageNameException when {@code name} is not a valid reference
     * @throws ProviderException (permanent) when the source is missing, a directory or not a tarball
     *     the engine accepts
     */
    @Override
    public ImageInfo importImage(Path source, String name) {
        String reference = withTag(name);
        if (!ContainerImages.validReference(reference))
            throw new ImageNameException("image name '" + name + "' is not a container image reference: use"
                    + " repository[:tag] in lower case, e.g. localhost/hangar/workspace:debian-12");
        if (Files.isDirectory(source))
            throw new ProviderException(
                    source + " is a directory; the container provider imports a rootfs tarball (tar, or tar.gz)"
                            + " of a root filesystem, e.g. `tar -C ROOTFS -cf rootfs.tar .`",
                    true);
        new ContainerImages(engine).importRootfs(source, reference);
        return find(reference)
                .orElseThrow(() -> new ProviderException(
                        "the engine at " + engine.socket() + " imported " + source + " but has no " + reference,
                        false));
    }

    /**
     * Removes the reference {@code name} (the engine removes the image once no other reference names
     * it).
     *
     * @return false when the engine has no such image
     * @throws ImageInUseException while containers of workspaces (label {@value
     *     ContainerManifests#WORKSPACE_ID}) were created from it
     */
    @Override
    public boolean delete(String name) {
        Optional<ImageInfo> image = find(name);
        if (image.isEmpty()) return false;
        List<String> users;
        try {
            String id = engine.client().inspectImageCmd(name).exec().getId();
            users = engine
                    .client()
                    .listContainersCmd()
                    .withShowAll(true)
                    .withLabelFilter(List.of(ContainerManifests.WORKSPACE_ID))
                    .exec()
                    .stream()
                    .filter(c -> id.equals(c.getImageId()))
                    .map(c -> c.getLabels().get(ContainerManifests.WORKSPACE_ID))
                    .sorted(Comparator.naturalOrder())
                    .toList();
        } catch (RuntimeException e) {
            throw engine.translate("check the users of image " + name, e);
        }
        if (!users.isEmpty()) throw new ImageInUseException(name, users);
        try {
            engine.client().removeImageCmd(name).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        } catch (RuntimeException e) {
            throw engine.translate("remove image " + name, e);
        }
    }

    private static ImageInfo info(String name, String id, long size) {
        String shortId = id.startsWith("sha256:") ? id.substring(7, Math.min(id.length(), 19)) : id;
        return new ImageInfo(name, "container image " + shortId, "engine", ImageState.CACHED, size, PullStatus.NONE);
    }

    static String withTag(String name) {
        int slash = name.lastIndexOf('/');
        return name.indexOf(':', slash + 1) < 0 ? name + ":latest" : name;
    }
}
