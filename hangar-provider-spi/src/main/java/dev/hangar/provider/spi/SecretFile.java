package dev.hangar.provider.spi;

import java.util.Objects;

/**
 * One of the owner's secrets, decrypted, to be delivered read-only to {@code /var/secrets/<name>}
 * in the workspace at start (issue #15, item 7). Providers deliver it onto memory (a tmpfs or a
 * Kubernetes Secret volume), never onto the workspace's persistent disk, and never log it.
 *
 * <p>{@link #toString()} never shows the value; {@link #equals} and {@link #hashCode} compare the
 * content (in constant time for the value). {@link #value()} returns a copy.
 *
 * @param name the file name: lower-case letters, digits, {@code -}, {@code _} and {@code .}, 1-63
 *     characters, starting and ending with a letter or digit (so never {@code .} or {@code ..})
 * @param value the decrypted bytes (copied on the way in and out)
 */
public record SecretFile(String name, byte[] value) {
    /** The guest path the secrets are mounted at. */
    public static final String MOUNT_PATH = "/var/secrets";

    /**
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if {@code name} breaks the rule above
     */
    public SecretFile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (!validName(name)) throw new IllegalArgumentException("bad secret file name: " + name);
        value = value.clone();
    }

    /** @return whether {@code name} is a valid secret name (the rule of {@link #name()}) */
    public static boolean validName(String name) {
        return name.length() <= 63 && name.matches("[a-z0-9]([a-z0-9._-]*[a-z0-9])?");
    }

    /** @return a copy of the decrypted bytes */
    @Override
    public byte[] value() {
        return value.clone();
    }

    /** @return the value's size in bytes */
    public int size() {
        return value.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecretFile s && s.name.equals(name) && java.security.MessageDigest.isEqual(s.value, value);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + value.length;
    }

    /** @return the name and size only, never the value */
    @Override
    public String toString() {
        return "SecretFile[name=" + name + ", " + value.length + " bytes]";
    }
}
