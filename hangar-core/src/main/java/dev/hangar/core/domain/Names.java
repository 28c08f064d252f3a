package dev.hangar.core.domain;

import java.util.regex.Pattern;

/** Validation of names of workspaces, users and templates. Stateless and thread-safe. */
public final class Names {
    /** RFC 1123 label as Kubernetes defines it (k8s.io/apimachinery IsDNS1123Label). */
    private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    /** Longest DNS-1123 label, in characters. */
    public static final int MAX_LABEL = 63;

    private Names() {}

    /** @return true when {@code s} is a DNS-1123 label: 1..63 of a-z, 0-9 and '-', alphanumeric at both ends */
    public static boolean isDns1123Label(String s) {
        return s != null
                && !s.isEmpty()
                && s.length() <= MAX_LABEL
                && DNS1123_LABEL.matcher(s).matches();
    }

    /**
     * @param field the field to name in the error, e.g. {@code name}
     * @return {@code s} unchanged
     * @throws ValidationException explaining the rule when {@code s} is not a DNS-1123 label
     */
    public static String requireDns1123Label(String field, String s) {
        if (s == null || s.isEmpty()) throw new ValidationException(field, field + " is required");
        if (s.length() > MAX_LABEL)
            throw new ValidationException(
                    field,
                    field + " '" + abbreviate(s) + "' is " + s.length() + " characters; at most " + MAX_LABEL
                            + " are allowed");
        if (!DNS1123_LABEL.matcher(s).matches()) {
            throw new ValidationException(
                    field,
                    field + " '" + abbreviate(s)
                            + "' is not a DNS-1123 label: use lower-case letters, digits and '-', starting and ending with a letter or digit (e.g. 'fw-dev')");
        }
        return s;
    }

    private static String abbreviate(String s) {
        String printable = s.codePoints()
                .mapToObj(c -> c < 0x20 || c == 0x7f ? "?" : Character.toString(c))
                .reduce("", String::concat);
        return printable.length() > 80 ? printable.substring(0, 77) + "..." : printable;
    }
}
