package dev.hangar.api;

/**
 * Answer of {@code POST /api/v1/devcontainer-uploads}: where the server unpacked the uploaded
 * folder.
 *
 * @param path the folder's absolute path on the server host, to name as {@code devcontainer} in
 *     {@code POST /api/v1/workspaces}
 */
public record DevcontainerUploadView(String path) {}
