/**
 * The control plane's HTTP server and wiring.
 *
 * <p>Entry points: {@link dev.hangar.server.Main} ({@code hangar server}) and {@link
 * dev.hangar.server.HangarServer#builder} for embedding and tests. {@link
 * dev.hangar.server.ServerConfigLoader} reads {@code $HANGAR_HOME/server.yaml}, {@code HANGAR_*}
 * and flags into a {@link dev.hangar.server.ServerConfig}.
 *
 * <p>One request, e.g. {@code POST /api/v1/workspaces}: {@code HttpApi} (Javalin) runs {@code
 * BearerAuth}, then {@code WorkspaceRoutes} reads the body strictly ({@code RequestBodies}) and
 * calls {@link dev.hangar.core.service.WorkspaceService}, which records desired state and an event
 * in one transaction and enqueues the workspace on the {@link
 * dev.hangar.core.reconcile.WorkspaceReconciler}; the route answers 201/202 at once. Every
 * exception becomes an RFC 9457 problem in {@link dev.hangar.server.ProblemMapper}.
 */
package dev.hangar.server;
