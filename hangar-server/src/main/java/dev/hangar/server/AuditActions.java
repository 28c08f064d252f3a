package dev.hangar.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The audit action of every state-changing HTTP operation ({@code POST}, {@code PUT}, {@code
 * PATCH}, {@code DELETE}), one row per operation of the OpenAPI document, and what its target is.
 * {@link HttpAudit} looks requests up here; a test compares {@link #operations()} with the
 * document, so a new write route without a row fails the build (issue #15, item 6).
 *
 * <p>Matching is done on the request path here (not through the router), so a request refused
 * before routing finished (401, an auditor's 403) is still attributed to its operation.
 */
public final class AuditActions {
    private AuditActions() {}

    /** The methods that change state. */
    public static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");

    /** How an operation's target is named. */
    enum Target {
        /**
         * {@code owner/name} of the workspace (or lab) in the path ({@code owner} from the query, else
         * the caller).
         */
        WORKSPACE,
        /** A new workspace (or lab): {@code caller/name}, the name from the 201's {@code Location}. */
        NEW_WORKSPACE,
        /** {@code owner/name/busid}: the bus id from the path or from the 201's {@code Location}. */
        USB,
        /** The user named in the path, or the new user's name from the 201's {@code Location}. */
        USER,
        /** {@code caller/token-name}: from the path, or from the 201's {@code Location}. */
        OWN_TOKEN,
        /** The caller (their SSH keys). */
        CALLER,
        /** The image named in the path, or the 2xx's {@code Location}; empty when neither names one. */
        IMAGE,
        /** {@code caller/secret-name} from the path: the secret's name, never its value. */
        OWN_SECRET
    }

    /** One row: the operation's path template, the action and how to name the target. */
    record Rule(String method, String template, String action, Target target, Pattern pattern) {}

    /** An operation matched by a request: its rule and the path parameters (decoded). */
    record Match(Rule rule, Map<String, String> params) {}

    private static final Pattern PARAM = Pattern.compile("\\{([a-z]+)}");

    private static final List<Rule> RULES = List.of(
            rule("POST", "/api/v1/workspaces", "workspace.create", Target.NEW_WORKSPACE),
            rule("DELETE", "/api/v1/workspaces/{name}", "workspace.delete", Target.WORKSPACE),
            rule("POST", "/api/v1/workspaces/{name}/start", "workspace.start", Target.WORKSPACE),
            rule("POST", "/api/v1/workspaces/{name}/stop", "workspace.stop", Target.WORKSPACE),
            rule("POST", "/api/v1/workspaces/{name}/restart", "workspace.restart", Target.WORKSPACE),
            rule("POST", "/api/v1/workspaces/{name}/reset", "workspace.reset", Target.WORKSPACE),
            rule("POST", "/api/v1/workspaces/{name}/activity", "workspace.keepalive", Target.WORKSPACE),
            rule("POST", "/api/v1/workspaces/{name}/usb/attachments", "usb.attach", Target.USB),
            rule("DELETE", "/api/v1/workspaces/{name}/usb/attachments/{busid}", "usb.detach", Target.USB),
            rule("POST", "/api/v1/labs", "lab.create", Target.NEW_WORKSPACE),
            rule("DELETE", "/api/v1/labs/{name}", "lab.delete", Target.WORKSPACE),
            rule("POST", "/api/v1/labs/{name}/start", "lab.start", Target.WORKSPACE),
            rule("POST", "/api/v1/labs/{name}/stop", "lab.stop", Target.WORKSPACE),
            rule("POST", "/api/v1/labs/{name}/reset", "lab.reset", Target.WORKSPACE),
            rule("POST", "/api/v1/images/pull", "image.pull", Target.IMAGE),
            rule("POST", "/api/v1/images/import", "image.import", Target.IMAGE),
            rule("DELETE", "/api/v1/images/{name}", "image.delete", Target.IMAGE),
            rule("POST", "/api/v1/admin/image-loads", "image.load", Target.IMAGE),
            rule("POST", "/api/v1/users/me/keys", "key.add", Target.CALLER),
            rule("DELETE", "/api/v1/users/me/keys", "key.remove", Target.CALLER),
            rule("POST", "/api/v1/users/me/tokens", "token.create", Target.OWN_TOKEN),
            rule("DELETE", "/api/v1/users/me/tokens/{name}", "token.revoke", Target.OWN_TOKEN),
            rule("POST", "/api/v1/users", "user.create", Target.USER),
            rule("PATCH", "/api/v1/users/{name}", "user.update", Target.USER),
            rule("DELETE", "/api/v1/users/{name}", "user.delete", Target.USER),
            rule("PUT", "/api/v1/users/{name}/quota", "quota.set", Target.USER),
            rule("PUT", "/api/v1/users/{name}/autostop", "autostop.set", Target.USER),
            // the actor is the user the identity signed in as (OidcRoutes); a refusal is anonymous
            rule("POST", "/api/v1/auth/oidc/token", "auth.oidc", Target.CALLER),
            rule("PUT", "/api/v1/secrets/{name}", "secret.set", Target.OWN_SECRET),
            rule("DELETE", "/api/v1/secrets/{name}", "secret.delete", Target.OWN_SECRET),
            rule("POST", "/api/v1/devcontainer-uploads", "devcontainer.upload", Target.CALLER));

    private static Rule rule(String method, String template, String action, Target target) {
        Matcher m = PARAM.matcher(template);
        StringBuilder regex = new StringBuilder();
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start())))
                    .append("(?<")
                    .append(m.group(1))
                    .append(">[^/]+)");
            last = m.end();
        }
        regex.append(Pattern.quote(template.substring(last))).append("/?");
        return new Rule(method, template, action, target, Pattern.compile(regex.toString()));
    }

    /**
     * @return every audited operation as {@code "METHOD /template"} (the OpenAPI form) mapped to its
     *     action, in table order
     */
    public static Map<String, String> operations() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Rule r : RULES) out.put(r.method() + " " + r.template(), r.action());
        return out;
    }

    /** @return the percent-decoded path segment; as received when it is not valid percent-encoding */
    static String decode(String segment) {
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return segment;
        }
    }

    /** @return the operation {@code method} on {@code path} (as received, percent-encoded) is, if audited */
    static Optional<Match> match(String method, String path) {
        for (Rule r : RULES) {
            if (!r.method().equals(method)) continue;
            Matcher m = r.pattern().matcher(path);
            if (!m.matches()) continue;
            Map<String, String> params = new LinkedHashMap<>();
            for (Matcher p = PARAM.matcher(r.template()); p.find(); ) {
                params.put(p.group(1), decode(m.group(p.group(1))));
            }
            return Optional.of(new Match(r, params));
        }
        return Optional.empty();
    }
}
