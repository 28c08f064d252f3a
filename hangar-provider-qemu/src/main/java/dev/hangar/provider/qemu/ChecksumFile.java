package dev.hangar.provider.qemu;

import dev.hangar.provider.vm.Checksum;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a file's digest in a published checksum file. Pure and thread-safe.
 *
 * <p>Understands the two formats distros publish: GNU coreutils ({@code <hex>  <name>} or {@code
 * <hex> *<name>}, as in Ubuntu's SHA256SUMS and Debian's SHA512SUMS) and BSD tagged ({@code SHA256
 * (<name>) = <hex>}, as in Fedora, CentOS Stream and Rocky CHECKSUM files). Lines starting with
 * {@code #} and PGP armour lines are ignored.
 */
public final class ChecksumFile {
    private static final Pattern GNU = Pattern.compile("^([0-9a-fA-F]{64}|[0-9a-fA-F]{128})\\s+\\*?(?:\\./)?(\\S.*)$");
    private static final Pattern BSD = Pattern.compile(
            "^(SHA256|SHA512)\\s*\\((?:\\./)?(.+)\\)\\s*=\\s*([0-9a-fA-F]+)$", Pattern.CASE_INSENSITIVE);

    private ChecksumFile() {}

    private record Entry(String file, String hex) {}

    /**
     * @param content the checksum file's text
     * @param fileName the downloaded file's name (last path segment of its URL)
     * @param algorithm {@code sha256} or {@code sha512}
     * @return the digest listed for {@code fileName}; else, when the file lists exactly one digest
     *     of that length (a "latest" link whose checksum file names the versioned build), that one;
     *     else empty
     */
    public static Optional<Checksum> find(String content, String fileName, String algorithm) {
        int digits = algorithm.equals("sha512") ? 128 : 64;
        List<Entry> entries = new ArrayList<>();
        for (String raw : content.split("\\R")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("-----")) continue;
            Matcher bsd = BSD.matcher(line);
            Matcher gnu = GNU.matcher(line);
            if (bsd.matches()) {
                entries.add(new Entry(bsd.group(2).strip(), bsd.group(3)));
            } else if (gnu.matches()) {
                entries.add(new Entry(gnu.group(2).strip(), gnu.group(1)));
            }
        }
        entries.removeIf(e -> e.hex().length() != digits);
        for (Entry e : entries) {
            if (e.file().equals(fileName)) return Optional.of(new Checksum(algorithm, e.hex()));
        }
        if (entries.size() == 1)
            return Optional.of(new Checksum(algorithm, entries.getFirst().hex()));
        return Optional.empty();
    }
}
