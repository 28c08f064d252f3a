package dev.hangar.provider.spi;

import java.util.List;

/**
 * An image cannot be deleted because workspace disks are still based on it. Permanent: deleting
 * those workspaces first makes the call succeed.
 */
public final class ImageInUseException extends ProviderException {
    private static final long serialVersionUID = 1L;
    private final String image;
    private final List<String> workspaceIds;

    /**
     * @param image the image's name
     * @param workspaceIds the ids ({@link WorkspaceSpec#id()}) of the workspaces whose disks use
     *     it, at least one
     */
    public ImageInUseException(String image, List<String> workspaceIds) {
        super(
                "image '" + image + "' is still used by the disk of " + workspaceIds.size() + " workspace(s) (ids "
                        + workspaceIds + "); delete those workspaces first",
                true);
        this.image = image;
        this.workspaceIds = List.copyOf(workspaceIds);
    }

    /** @return the image's name */
    public String image() {
        return image;
    }

    /** @return the ids of the workspaces whose disks use the image, sorted */
    public List<String> workspaceIds() {
        return workspaceIds;
    }
}
