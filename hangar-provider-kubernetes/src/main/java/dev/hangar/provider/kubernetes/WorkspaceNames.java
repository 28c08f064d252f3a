package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.ProviderException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Names of one workspace's Kubernetes objects, derived from its owner and name so that the same
 * spec finds the same objects after a restart.
 *
 * <p>The base is {@code ws-<owner>-<name>}: the {@code ws-} prefix makes it a valid DNS-1035
 * label (Service names must start with a letter) even when the owner starts with a digit. A base
 * longer than {@link #MAX_BASE} characters is cut and given an 8-hex-digit suffix from SHA-256 of
 * {@code owner/name}, so distinct workspaces keep distinct names. {@link #MAX_BASE} is 47 because
 * the StatefulSet controller labels pods {@code controller-revision-hash=<name>-<10 chars>}, and a
 * label value may have at most 63 characters; 47 also leaves room for the {@code -home},
 * {@code -ssh} and {@code -0} suffixes.
 *
 * @param base the common prefix, also the StatefulSet and Service name
 * @param statefulSet StatefulSet name ({@code base})
 * @param service Service name ({@code base})
 * @param sshSecret Secret with host key and authorized_keys ({@code base-ssh})
 * @param homeClaim PersistentVolumeClaim of the home ({@code base-home})
 * @param pod the StatefulSet's only pod ({@code base-0})
 */
public record WorkspaceNames(
        String base, String statefulSet, String service, String sshSecret, String homeClaim, String pod) {

    /** @return the Secret with the owner's Hangar secrets ({@code base-secrets}), mounted at /var/secrets */
    public String userSecrets() {
        return base + "-secrets";
    }

    /** Longest base name before hashing. */
    public static final int MAX_BASE = 47;

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    /**
     * @param owner the owning user's name, a DNS-1123 label
     * @param name the workspace name, a DNS-1123 label
     * @throws ProviderException (permanent) if either is not a DNS-1123 label
     */
    public static WorkspaceNames of(String owner, String name) {
        requireLabel("owner", owner);
        requireLabel("workspace name", name);
        String base = "ws-" + owner + "-" + name;
        if (base.length() > MAX_BASE) {
            String cut = base.substring(0, MAX_BASE - 9);
            while (cut.endsWith("-")) cut = cut.substring(0, cut.length() - 1);
            base = cut + "-" + shortHash(owner + "/" + name);
        }
        return new WorkspaceNames(base, base, base, base + "-ssh", base + "-home", base + "-0");
    }

    private static void requireLabel(String what, String value) {
        if (!DNS_LABEL.matcher(value).matches()) {
            throw new ProviderException(
                    what + " '" + value
                            + "' is not a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)",
                    true);
        }
    }

    /** @return the first 8 hex digits of SHA-256 of {@code text} (UTF-8) */
    static String shortHash(String text) {
        return sha256Hex(text).substring(0, 8);
    }

    static String sha256Hex(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
