package dev.hangar.server;

import dev.hangar.core.audit.AuditLog;
import dev.hangar.core.service.UserService;
import dev.hangar.core.service.WorkspaceService;
import dev.hangar.core.store.Store;
import dev.hangar.core.template.TemplateCatalog;
import java.net.URI;
import java.time.Clock;
import java.util.Objects;

/**
 * What a running server hands to add-ons such as the SSH gateway ({@link GatewayHook}). All
 * members are thread-safe and live until the server closes.
 *
 * @param config the configuration the server started with
 * @param baseUri the HTTP API's base URI, e.g. {@code http://127.0.0.1:7080}
 * @param store the control plane's database
 * @param users user, SSH key and token use cases
 * @param workspaces workspace use cases
 * @param templates the loaded templates
 * @param clock the server's clock
 * @param audit the audit log (gateway connections are recorded there)
 * @param failedAuth the queue for {@code auth.failed} entries an unauthenticated client can cause in
 *     bulk (a gateway login no key got through): written off the caller's thread
 * @param activity idle tracking: add-ons report use of a workspace here (the gateway: relayed bytes)
 * @param providers the server's providers (the gateway asks them for a VM's guest USB/IP socket)
 */
public record ServerContext(
        ServerConfig config,
        URI baseUri,
        Store store,
        UserService users,
        WorkspaceService workspaces,
        TemplateCatalog templates,
        Clock clock,
        AuditLog audit,
        dev.hangar.core.audit.AuditQueue failedAuth,
        dev.hangar.core.autostop.ActivityService activity,
        dev.hangar.core.reconcile.ProviderRegistry providers) {
    public ServerContext {
        Objects.requireNonNull(activity, "activity");
        Objects.requireNonNull(providers, "providers");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(baseUri, "baseUri");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(users, "users");
        Objects.requireNonNull(workspaces, "workspaces");
        Objects.requireNonNull(templates, "templates");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(failedAuth, "failedAuth");
    }
}
