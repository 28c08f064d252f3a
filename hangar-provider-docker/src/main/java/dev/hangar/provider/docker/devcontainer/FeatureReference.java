package dev.hangar.provider.docker.devcontainer;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A devcontainer feature published in an OCI registry ({@code ghcr.io/devcontainers/features/node:1},
 * {@code localhost:5000/team/tool:1.2.0}, {@code ghcr.io/org/f@sha256:<64 hex>}), as the Dev
 * Container Features distribution spec names them: {@code <registry>/<namespace>/<id>} with a tag
 * ({@code latest} when none is given) or a digest. The grammar is the OCI distribution reference's
 * (distribution/reference): the first component is the registry host (with a port, or
 * {@code localhost}, or a name with a dot; there is no default registry for features), the path
 * components are lower case, a tag is {@code [\w][\w.-]{0,127}}, a digest {@code sha256:<64 hex>}
 * (the only algorithm Hangar verifies). Immutable value.
 *
 * @param registry the registry host, with its port when one is given ({@code 127.0.0.1:5000})
 * @param repository the repository path in the registry ({@code devcontainers/features/node})
 * @param reference the tag, or the digest ({@code sha256:...}) when {@link #pinned()}
 */
public record FeatureReference(String registry, String repository, String reference) {
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final String HOST_PART = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String HOST = "(?:" + HOST_PART + "(?:\\." + HOST_PART + ")*|\\[[0-9a-fA-F:.]+])";
    private static final Pattern REGISTRY = Pattern.compile(HOST + "(?::[0-9]{1,5})?");
    private static final Pattern REPOSITORY = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");
    private static final Pattern ANY_DIGEST = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");
    private static final Pattern SPLIT = Pattern.compile("^([^/]+)/(.+?)(?::([^:/@]+))?(?:@(.+))?$");

    public FeatureReference {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(reference, "reference");
    }

    /**
     * Parses a feature id of devcontainer.json's {@code features}.
     *
     * @return the reference; empty when {@code id} is not meant as a registry reference at all (a
     *     local {@code ./x} feature)
     * @throws IllegalArgumentException when {@code id} is neither local nor a valid reference, with
     *     what is wrong and an example of a valid one
     */
    public static Optional<FeatureReference> parse(String id) {
        if (id.startsWith("./") || id.startsWith("../")) return Optional.empty();
        if (id.startsWith("https://") || id.startsWith("http://"))
            throw invalid(id, "features from a tarball URL are not supported; publish the feature to an OCI registry");
        if (id.length() > 255) throw invalid(id, "a reference is at most 255 characters");
        Matcher m = SPLIT.matcher(id);
        if (!m.matches() || !id.contains("/"))
            throw invalid(
                    id,
                    "name the registry and the feature, like ghcr.io/devcontainers/features/node:1 (legacy"
                            + " short ids are not supported), or use a local feature './folder'");
        String registry = m.group(1);
        String repository = m.group(2);
        String tag = m.group(3);
        String digest = m.group(4);
        boolean looksLikeHost = registry.contains(".")
                || registry.contains(":")
                || registry.equals("localhost")
                || registry.startsWith("[");
        if (!looksLikeHost || !REGISTRY.matcher(registry).matches())
            throw invalid(
                    id,
                    "'" + registry + "' is not a registry host; features have no default registry (name it,"
                            + " like ghcr.io/devcontainers/features/node:1)");
        int colon = registry.lastIndexOf(':');
        if (colon > 0 && !registry.endsWith("]")) {
            int port = Integer.parseInt(registry.substring(colon + 1));
            if (port < 1 || port > 65535) throw invalid(id, "port " + port + " is not 1-65535");
        }
        if (!REPOSITORY.matcher(repository).matches())
            throw invalid(
                    id,
                    "'" + repository + "' is not a repository path (lower-case letters, digits and . _ -"
                            + " between components separated by /)");
        if (tag != null && digest != null)
            throw invalid(id, "give a tag or a digest, not both (':" + tag + "@" + digest + "')");
        if (tag != null && !TAG.matcher(tag).matches())
            throw invalid(
                    id, "':" + tag + "' is not a tag (letters, digits, _ . -, at most 128, not starting with . or -)");
        if (digest != null) {
            if (!ANY_DIGEST.matcher(digest).matches()) throw invalid(id, "'@" + digest + "' is not a digest");
            if (!DIGEST.matcher(digest).matches())
                throw invalid(id, "'@" + digest + "': Hangar verifies sha256 digests only (sha256:<64 hex digits>)");
        }
        return Optional.of(new FeatureReference(
                registry.toLowerCase(Locale.ROOT), repository, digest != null ? digest : tag != null ? tag : "latest"));
    }

    /** @return whether the reference is a digest (content-addressed) rather than a tag */
    public boolean pinned() {
        return reference.startsWith("sha256:");
    }

    /** @return {@code registry/repository}, the feature's id without version (what installsAfter names) */
    public String resource() {
        return registry + "/" + repository;
    }

    /** @return the canonical form, {@code registry/repository:tag} or {@code registry/repository@digest} */
    @Override
    public String toString() {
        return resource() + (pinned() ? "@" : ":") + reference;
    }

    private static IllegalArgumentException invalid(String id, String why) {
        return new IllegalArgumentException("feature '" + id + "' is not a valid feature reference: " + why);
    }
}
