package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.SecretFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The owner's secrets handed to a VM at boot through QEMU's firmware configuration device
 * (fw_cfg), never through the disk: one fw_cfg entry {@code opt/dev.hangar/s<i>} per secret and
 * {@code opt/dev.hangar/names} with their names, one per line, in the same order (fw_cfg names are
 * at most 55 bytes, too short for a 63-character secret name behind a prefix). In the guest a
 * boot command of the cloud-init user-data ({@link dev.hangar.provider.vm.CloudInitUserData}) mounts
 * a tmpfs at /var/secrets and copies the entries from {@code /sys/firmware/qemu_fw_cfg} there.
 *
 * <p>On the host the values exist only for the launch: {@link #write} creates them in a 0700
 * directory as 0600 files (permissions set at creation), QEMU reads them into memory while it
 * starts, and {@link #delete} removes them as soon as the launch returned (and again on every stop
 * and launch). QEMU keeps the entries for the VM's life, so a reboot inside the guest finds them
 * again; a new start delivers the secrets current then. Thread-safe per workspace directory.
 */
final class GuestSecrets {
    /** The fw_cfg name prefix (QEMU requires {@code opt/} for user entries). */
    static final String FW_CFG_PREFIX = "opt/dev.hangar/";

    private GuestSecrets() {}

    /** @return the directory of the launch-time files in the workspace directory */
    static Path dir(Path workspaceDir) {
        return workspaceDir.resolve("secrets");
    }

    /** @return the file of secret {@code i} */
    static Path value(Path workspaceDir, int i) {
        return dir(workspaceDir).resolve("s" + i);
    }

    /** @return the file with the names */
    static Path names(Path workspaceDir) {
        return dir(workspaceDir).resolve("names");
    }

    /**
     * Writes the files for the next launch (replacing any left over).
     *
     * @return how many secrets were written
     */
    static int write(Path workspaceDir, List<SecretFile> secrets) throws IOException {
        delete(workspaceDir);
        if (secrets.isEmpty()) return 0;
        Files.createDirectory(
                dir(workspaceDir), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < secrets.size(); i++) {
            byte[] v = secrets.get(i).value();
            try {
                writeOwnerOnly(value(workspaceDir, i), v);
            } finally {
                java.util.Arrays.fill(v, (byte) 0);
            }
            names.append(secrets.get(i).name()).append('\n');
        }
        writeOwnerOnly(names(workspaceDir), names.toString().getBytes(StandardCharsets.UTF_8));
        return secrets.size();
    }

    /** Removes the launch-time files. Idempotent. */
    static void delete(Path workspaceDir) throws IOException {
        Path d = dir(workspaceDir);
        if (!Files.exists(d)) return;
        try (Stream<Path> files = Files.walk(d)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** @return the {@code -fw_cfg} arguments for {@code count} secrets (none for 0) */
    static List<String> args(Path workspaceDir, int count) {
        if (count == 0) return List.of();
        List<String> a = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++)
            a.addAll(List.of("-fw_cfg", "name=" + FW_CFG_PREFIX + "s" + i + ",file=" + escape(value(workspaceDir, i))));
        a.addAll(List.of("-fw_cfg", "name=" + FW_CFG_PREFIX + "names,file=" + escape(names(workspaceDir))));
        return a;
    }

    private static void writeOwnerOnly(Path file, byte[] bytes) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE)) {
            out.write(bytes);
        }
    }

    private static String escape(Path path) {
        return path.toString().replace(",", ",,");
    }
}
