package dev.hangar.provider.qemu;

import java.util.List;

/**
 * Which host PCI devices a workspace holds (issue #19): the server answers from its store-held
 * claims, so the provider never sees the store. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface PciClaims {
    /** No workspace holds a device. */
    PciClaims NONE = workspaceId -> List.of();

    /**
     * @param workspaceId the workspace's id ({@code WorkspaceSpec.id()})
     * @return the PCI addresses ({@code 0000:01:00.0}) claimed for it, in claim order; empty for none
     */
    List<String> addresses(String workspaceId);
}
