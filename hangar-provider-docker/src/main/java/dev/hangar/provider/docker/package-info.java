/**
 * Local container workspaces on Docker or Podman (provider type {@code docker}), through the Docker
 * Engine API with docker-java. {@link dev.hangar.provider.docker.ContainerManifests} builds the
 * desired container, volume and key files without an engine (pure); {@link
 * dev.hangar.provider.docker.DockerProvider} observes and applies them.
 */
package dev.hangar.provider.docker;
