package dev.hangar.provider.spi;

import java.util.List;
import java.util.Map;

/**
 * An optional capability of providers that run workspaces as Kubernetes objects: builds the objects
 * the provider would create for a workspace, for a client-side dry run ({@code hangar create
 * --dry-run}, {@code POST /api/v1/workspaces?dryRun=All}). A provider offers it through {@link
 * WorkspaceProvider#manifests()}; the server uses only this interface, never a provider's classes.
 *
 * <p><b>No cluster access.</b> Like kubectl's client-side dry run, {@link #render} only builds the
 * objects: it sends no request, so it works while the cluster is unreachable, and creates nothing.
 *
 * <p><b>Secrets.</b> The output is for review and GitOps, so every secret value in it (a cloud-init
 * user-data, a private host key) is replaced by {@value #REDACTED}; the key stays, so the reader
 * sees what the Secret holds.
 *
 * <p><b>Thread-safety.</b> Implementations are thread-safe and pure: the same spec gives equal output.
 */
public interface ManifestRenderer {
    /** The value that replaces each secret value in rendered objects. */
    String REDACTED = "<redacted>";

    /**
     * Builds the objects the provider would write to create {@code spec} running, in the order it
     * writes them, each a JSON-like tree (maps with String keys, lists, strings, numbers, booleans)
     * with {@code apiVersion}, {@code kind} and {@code metadata}; never null, never containing a
     * secret value. Objects that only the API server fills in (uids, owner references to live
     * objects, status) are left out.
     *
     * @return one map per object, unmodifiable or a fresh copy the caller may change
     * @throws ProviderException (permanent) when the spec cannot be built into objects (the same
     *     checks as a real create, e.g. an image the catalog does not have); the message says why
     */
    List<Map<String, Object>> render(WorkspaceSpec spec);
}
