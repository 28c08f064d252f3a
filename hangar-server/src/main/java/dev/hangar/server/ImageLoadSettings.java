package dev.hangar.server;

import dev.hangar.provider.spi.NodeImages;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * {@code hangar image load} on this server ({@code image-load.*}, docs/server-config.md and
 * docs/adr/0015-image-load-through-loader-pods.md). Off by default: the loader Pods run as root and
 * mount the node's containerd socket, which is root on that node.
 *
 * @param enabled whether admins may load images onto nodes ({@code image-load.enabled})
 * @param loader how the loader reaches each node ({@code image-load.namespace}, {@code image}, {@code
 *     ctr-path}, {@code containerd-socket})
 */
public record ImageLoadSettings(boolean enabled, NodeImages.Settings loader) {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    /** Off, namespace {@code hangar-image-load}, no loader image, Debian's ctr and socket paths. */
    public static final ImageLoadSettings DEFAULTS = new ImageLoadSettings(
            false, new NodeImages.Settings("hangar-image-load", "", "/usr/bin/ctr", "/run/containerd/containerd.sock"));

    /**
     * @throws ConfigException naming the key of a malformed value, or {@code image-load.image} when
     *     loading is on without a loader image
     */
    public ImageLoadSettings {
        Objects.requireNonNull(loader, "loader");
        if (!LABEL.matcher(loader.namespace()).matches())
            throw new ConfigException(
                    "image-load.namespace must be a DNS-1123 label, got '" + loader.namespace() + "'");
        if (!loader.ctrPath().startsWith("/"))
            throw new ConfigException(
                    "image-load.ctr-path must be an absolute path on the nodes, got '" + loader.ctrPath() + "'");
        if (!loader.containerdSocket().startsWith("/"))
            throw new ConfigException("image-load.containerd-socket must be an absolute path on the nodes, got '"
                    + loader.containerdSocket() + "'");
        if (enabled && loader.loaderImage().isBlank())
            throw new ConfigException("image-load.enabled is true but image-load.image is empty: name an image that"
                    + " is already on every node and has /bin/sh, perl, base64, truncate, stat and sha256sum (your"
                    + " workspace image, e.g.); the loader Pod runs it");
    }
}
