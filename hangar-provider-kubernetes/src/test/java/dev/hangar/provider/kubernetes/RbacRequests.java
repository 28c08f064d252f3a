package dev.hangar.provider.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns recorded API requests into the RBAC rules the API server would check for them, and RBAC
 * objects into the rules they grant, in one notation: {@code "[group/]resource[/subresource] verb"}
 * (e.g. {@code "apps/statefulsets patch"}, {@code "pods/portforward get"}). The request-to-verb
 * mapping follows the Kubernetes authorization overview ("Determine the request verb"): GET on a
 * named object is get, on a collection list (watch with {@code watch=true}), POST create, PUT update,
 * PATCH patch, DELETE delete or deletecollection. Shared by the Pod and KubeVirt providers' deploy
 * RBAC tests through this module's test-jar; stateless and thread-safe.
 */
public final class RbacRequests {
    // /api/v1[/namespaces/NS]/RESOURCE[/NAME[/SUB[/...]]] or /apis/GROUP/VERSION[/namespaces/NS]/...
    private static final Pattern PATH = Pattern.compile("/(?:api/v1|apis/(?<group>[^/]+)/[^/]+)"
            + "(?<namespaced>/namespaces/[^/]+)?/(?<resource>[^/?]+)(?:/(?<name>[^/?]+)(?:/(?<sub>[^/?]+)(?:/[^?]*)?)?)?"
            + "(?:\\?.*)?");

    private RbacRequests() {}

    /**
     * One authorization check.
     *
     * @param rule "[group/]resource[/sub] verb"
     * @param namespaced whether the request names a namespace (so a Role can grant it; otherwise only a
     *     ClusterRole can)
     */
    public record Rbac(String rule, boolean namespaced) {}

    /**
     * @param request "METHOD /path[?query]" as {@link MockCluster#takeRequests()} records it
     * @return what the API server authorizes for it
     * @throws IllegalArgumentException if the path is not a resource path of the core or a named API
     *     group (e.g. a discovery request)
     */
    public static Rbac rbac(String request) {
        String method = request.substring(0, request.indexOf(' '));
        String path = request.substring(request.indexOf(' ') + 1);
        Matcher m = PATH.matcher(path);
        if (!m.matches()) throw new IllegalArgumentException("not an API resource path: " + path);
        String group = m.group("group") == null ? "" : m.group("group") + "/";
        String resource = group + m.group("resource") + (m.group("sub") == null ? "" : "/" + m.group("sub"));
        boolean named = m.group("name") != null;
        String verb = switch (method) {
            case "GET" -> named ? "get" : path.contains("watch=true") ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> throw new IllegalArgumentException("unexpected method " + method);
        };
        return new Rbac(resource + " " + verb, m.group("namespaced") != null);
    }

    /**
     * @param rules a Role's or ClusterRole's rules (no wildcards expected: the deploy manifests list
     *     each group, resource and verb)
     * @return every "[group/]resource verb" the rules grant, sorted
     */
    public static Set<String> granted(List<PolicyRule> rules) {
        Set<String> granted = new TreeSet<>();
        for (PolicyRule rule : rules) {
            for (String group : rule.getApiGroups())
                for (String resource : rule.getResources())
                    for (String verb : rule.getVerbs())
                        granted.add((group.isEmpty() ? "" : group + "/") + resource + " " + verb);
        }
        return granted;
    }

    /**
     * @param file a YAML file of one or more Kubernetes objects (multi-document YAML or a List)
     * @return its objects, typed by fabric8's model
     * @throws IOException if the file cannot be read
     */
    public static List<HasMetadata> objects(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Object parsed = new KubernetesSerialization().unmarshal(in);
            List<?> items = parsed instanceof KubernetesList list
                    ? list.getItems()
                    : parsed instanceof List<?> l ? l : List.of(parsed);
            return items.stream().map(HasMetadata.class::cast).toList();
        }
    }
}
