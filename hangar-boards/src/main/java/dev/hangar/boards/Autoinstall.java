package dev.hangar.boards;

import java.util.List;
import java.util.Objects;

/**
 * What an unattended Ubuntu Server install (Subiquity's autoinstall, version 1) sets up.
 *
 * @param hostname the installed system's host name
 * @param username the first user (gets sudo through Subiquity's identity section)
 * @param passwordHash the user's crypt(5) password hash ({@link Inputs#passwordHash} or {@link
 *     PasswordHashes#unguessable()})
 * @param authorizedKeys OpenSSH public keys for {@code username}; at least one
 * @param storage the disk layout of the largest disk
 * @param packages extra packages to install; may be empty
 * @param lateCommands shell commands run at the end of the install, in order; may be empty
 */
public record Autoinstall(
        String hostname,
        String username,
        String passwordHash,
        List<String> authorizedKeys,
        StorageLayout storage,
        List<String> packages,
        List<String> lateCommands) {
    public Autoinstall {
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(passwordHash, "passwordHash");
        authorizedKeys = List.copyOf(authorizedKeys);
        if (authorizedKeys.isEmpty()) throw new IllegalArgumentException("an install needs at least one SSH key");
        Objects.requireNonNull(storage, "storage");
        packages = List.copyOf(packages);
        lateCommands = List.copyOf(lateCommands);
    }

    /** Subiquity's storage layouts ({@code storage: layout: name:}). */
    public enum StorageLayout {
        // lower case like Output.Format's constants: picocli lists and accepts these names as typed
        /** LVM on the largest disk (Subiquity's default). */
        lvm,
        /** Plain partitions on the largest disk. */
        direct;

        /** @return the name Subiquity expects, {@code lvm} or {@code direct} */
        public String subiquityName() {
            return name();
        }
    }
}
