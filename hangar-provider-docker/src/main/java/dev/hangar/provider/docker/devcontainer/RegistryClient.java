package dev.hangar.provider.docker.devcontainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pulls manifests and blobs from an OCI registry (the OCI distribution spec's pull API, {@code GET
 * /v2/<name>/manifests/<reference>} and {@code GET /v2/<name>/blobs/<digest>}) with the JDK's
 * HttpClient, anonymously: a {@code 401} with a {@code WWW-Authenticate: Bearer realm=...} challenge
 * is answered with an anonymous token from that realm (the distribution token auth spec, scope
 * {@code repository:<name>:pull}), as public registries such as ghcr.io want. HTTPS always, except
 * for loopback registries ({@code localhost}, {@code 127.x}, {@code [::1]}), which are spoken to in
 * plain HTTP as the Docker engine does by default. Redirects (blob stores) are followed by hand, at
 * most five, and the token is not sent to another host. Every body is checked against its digest:
 * a blob always, a manifest when the reference is a digest or the registry sends {@code
 * Docker-Content-Digest}.
 *
 * <p>Errors are {@link RegistryException}s whose message says what failed in plain words (the host
 * does not resolve, nothing listens, no answer within the timeout, an HTTP status); the caller adds
 * the feature and the remedy. Never logs. Thread-safe (the HttpClient is).
 */
public final class RegistryClient {
    /** The manifest types asked for; a feature is published as an OCI image manifest. */
    static final String MANIFEST_TYPES =
            "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

    private static final int MAX_REDIRECTS = 5;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    private final HttpClient http;
    private final Duration timeout;

    /**
     * @param timeout the connect timeout and the limit of each request (registries are expected to
     *     answer small features quickly; offline hosts fail at name resolution or connect already)
     */
    public RegistryClient(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** A fetched body with the digest it was verified against. */
    public record Fetched(byte[] body, String digest, String mediaType) {}

    /**
     * Fetches the manifest of {@code ref}.
     *
     * @param maxBytes the largest body accepted
     * @throws RegistryException when it cannot be fetched, is larger, or does not match its digest
     */
    public Fetched manifest(FeatureReference ref, long maxBytes) {
        Answer r = get(ref, "/manifests/" + ref.reference(), MANIFEST_TYPES, maxBytes);
        byte[] body = r.body();
        String actual = sha256(body);
        if (ref.pinned() && !ref.reference().equals(actual))
            throw new RegistryException(
                    "the manifest's digest is " + actual + ", not the " + ref.reference() + " asked for");
        Optional<String> announced = r.headers().firstValue("Docker-Content-Digest");
        if (announced.isPresent()
                && announced.get().startsWith("sha256:")
                && !announced.get().equals(actual))
            throw new RegistryException("the manifest's digest is " + actual + ", not the " + announced.get()
                    + " the registry announced (Docker-Content-Digest)");
        return new Fetched(body, actual, r.headers().firstValue("Content-Type").orElse(""));
    }

    /**
     * Fetches blob {@code digest} of {@code ref}'s repository and checks its sha256 digest and size.
     *
     * @throws RegistryException when it cannot be fetched, differs in size, or does not match
     */
    public Fetched blob(FeatureReference ref, String digest, long size) {
        if (!digest.matches("sha256:[a-f0-9]{64}"))
            throw new RegistryException("blob digest '" + digest + "' is not a sha256 digest");
        Answer r = get(ref, "/blobs/" + digest, "*/*", size);
        byte[] body = r.body();
        if (body.length != size)
            throw new RegistryException("blob " + digest + " has " + body.length + " bytes, the manifest says " + size);
        String actual = sha256(body);
        if (!actual.equals(digest))
            throw new RegistryException("blob " + digest + " does not match its digest (its content hashes to " + actual
                    + "): corrupted or tampered with on the way");
        return new Fetched(body, actual, "application/octet-stream");
    }

    private Answer get(FeatureReference ref, String path, String accept, long maxBytes) {
        URI uri = URI.create(base(ref.registry()) + "/v2/" + ref.repository() + path);
        Answer r = send(uri, accept, Optional.empty(), maxBytes);
        if (r.status() == 401) {
            Optional<String> token = token(r, ref);
            if (token.isPresent()) r = send(uri, accept, token, maxBytes);
        }
        if (r.status() == 200) return r;
        throw new RegistryException(
                switch (r.status()) {
                    case 401, 403 ->
                        "the registry refused anonymous access (HTTP " + r.status() + "); Hangar pulls features"
                                + " anonymously";
                    case 404 -> "not found in the registry (HTTP 404 for " + uri.getPath() + ")";
                    default -> "the registry answered HTTP " + r.status() + " for " + uri.getPath();
                });
    }

    /** GET, following redirects by hand so the token stays with the registry's host. */
    private Answer send(URI uri, String accept, Optional<String> token, long maxBytes) {
        URI at = uri;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(at).timeout(timeout).header("Accept", accept);
            // only to the registry itself: a blob store elsewhere gets a pre-signed URL, not our token
            if (token.isPresent()
                    && at.getScheme().equals(uri.getScheme())
                    && at.getRawAuthority().equals(uri.getRawAuthority()))
                b.header("Authorization", "Bearer " + token.get());
            Answer r = exchange(b.build(), maxBytes);
            int s = r.status();
            if (s != 301 && s != 302 && s != 303 && s != 307 && s != 308) return r;
            if (hop == MAX_REDIRECTS)
                throw new RegistryException("more than " + MAX_REDIRECTS + " redirects from " + uri);
            String location = r.headers()
                    .firstValue("Location")
                    .orElseThrow(() -> new RegistryException("a redirect without Location from " + uri.getHost()));
            URI next = at.resolve(location);
            if (!"http".equals(at.getScheme()) && "http".equals(next.getScheme()))
                throw new RegistryException(
                        "the registry redirected from HTTPS to plain HTTP (" + next.getHost() + ")");
            at = next;
        }
    }

    private Answer exchange(HttpRequest request, long maxBytes) {
        try {
            HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            try (InputStream in = r.body()) {
                body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            }
            if (r.statusCode() == 200 && body.length > maxBytes)
                throw new RegistryException(request.uri().getPath() + " is larger than " + maxBytes + " bytes");
            return new Answer(r.statusCode(), r.headers(), body);
        } catch (IOException e) {
            throw new RegistryException(why(e, request.uri()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while fetching from " + hostPort(request.uri()), e);
        }
    }

    /** @return what went wrong talking to {@code uri}, in plain words */
    private String why(IOException e, URI uri) {
        Throwable root = e;
        boolean refused = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            root = t;
            if (t instanceof ConnectException) refused = true;
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException)
                return "the host " + uri.getHost() + " does not resolve (no DNS answer: is the server host offline?)";
        }
        if (e instanceof HttpConnectTimeoutException)
            return "no connection to " + hostPort(uri) + " within " + timeout.toSeconds() + " s";
        if (e instanceof HttpTimeoutException)
            return "no answer from " + hostPort(uri) + " within " + timeout.toSeconds() + " s";
        if (refused) return "nothing answers at " + hostPort(uri) + " (" + describe(root) + ")";
        return "talking to " + hostPort(uri) + " failed: " + describe(root);
    }

    /** @return an anonymous token for the Bearer challenge of {@code r}, empty when it has none */
    private Optional<String> token(Answer r, FeatureReference ref) {
        Optional<String> challenge = r.headers().allValues("WWW-Authenticate").stream()
                .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
                .findFirst();
        if (challenge.isEmpty()) return Optional.empty();
        Map<String, String> params = challengeParameters(challenge.get());
        String realm = params.get("realm");
        if (realm == null) throw new RegistryException("a Bearer challenge without realm from " + ref.registry());
        URI realmUri = URI.create(realm);
        if (!"https".equals(realmUri.getScheme()) && !loopback(realmUri.getHost()))
            throw new RegistryException("the token realm " + realm + " is not HTTPS");
        StringBuilder q = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?');
        if (params.containsKey("service"))
            q.append("service=").append(enc(params.get("service"))).append('&');
        q.append("scope=").append(enc(params.getOrDefault("scope", "repository:" + ref.repository() + ":pull")));
        Answer t = send(URI.create(q.toString()), "application/json", Optional.empty(), 1 << 20);
        if (t.status() != 200)
            throw new RegistryException("the token service " + realmUri.getHost() + " answered HTTP " + t.status()
                    + " for an anonymous pull token");
        try {
            JsonNode n = JSON.readTree(t.body());
            String token = n.path("token").asText(n.path("access_token").asText(""));
            if (token.isEmpty())
                throw new RegistryException("the token service " + realmUri.getHost() + " gave no token");
            return Optional.of(token);
        } catch (IOException e) {
            throw new RegistryException(
                    "the token service " + realmUri.getHost() + " answered something other than JSON", e);
        }
    }

    /** @return the {@code key="value"} parameters of a {@code WWW-Authenticate: Bearer ...} header */
    static Map<String, String> challengeParameters(String header) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(header.substring(Math.min(header.length(), 7)));
        while (m.find()) out.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
        return out;
    }

    /** @return {@code http://host:port} for a loopback registry, else {@code https://host[:port]} */
    static String base(String registry) {
        String host = registry.startsWith("[")
                ? registry.substring(0, registry.indexOf(']') + 1)
                : registry.contains(":") ? registry.substring(0, registry.lastIndexOf(':')) : registry;
        return (loopback(host) ? "http://" : "https://") + registry;
    }

    static boolean loopback(String host) {
        if (host == null) return false;
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.matches("127(\\.\\d{1,3}){3}") || h.equals("[::1]") || h.equals("::1");
    }

    /** @return {@code sha256:<hex>} of {@code bytes} */
    public static String sha256(byte[] bytes) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static String hostPort(URI uri) {
        return uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    }

    private static String describe(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A response: status, headers and the body read up to a limit. */
    private record Answer(int status, HttpHeaders headers, byte[] body) {}

    /** A registry could not be used: the message says why in plain words, without the feature. */
    public static final class RegistryException extends RuntimeException {
        RegistryException(String message) {
            super(message);
        }

        RegistryException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
