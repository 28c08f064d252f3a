/**
 * Kubernetes Pod workspaces through fabric8.
 *
 * <p>A workspace is a StatefulSet with one replica (stop = scale to 0), a PersistentVolumeClaim for
 * the home, a ClusterIP Service on port 22 and a Secret with the workspace's SSH host key and
 * authorized keys. {@link dev.hangar.provider.kubernetes.WorkspaceManifests} builds those objects
 * without talking to a cluster; {@link dev.hangar.provider.kubernetes.ObjectApplier} writes them
 * (server-side apply on real clusters, create-or-merge-patch where server-side apply is missing);
 * {@link dev.hangar.provider.kubernetes.PodObservations} maps what the cluster reports to an {@link
 * dev.hangar.provider.spi.Observation}; {@link dev.hangar.provider.kubernetes.PortForwards} owns the
 * loopback port-forwards through which the gateway reaches pods whose Service is not routable.
 */
package dev.hangar.provider.kubernetes;
