package dev.hangar.api;

/**
 * Body of {@code POST /api/v1/images/pull}.
 *
 * @param name a catalog image name, e.g. {@code debian-12}
 */
public record PullImageRequest(String name) {}
