package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.ProviderException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the executables the provider runs. */
final class Binaries {
    private Binaries() {}

    /**
     * Resolves {@code name} like a shell: as given when it contains a {@code /}, else on {@code PATH}.
     *
     * @param aptPackage the Debian/Ubuntu package that ships it, named in the error
     * @throws ProviderException (permanent) if it is missing or not executable
     */
    static Path resolve(String name, String aptPackage) {
        if (name.contains("/")) {
            Path path = Path.of(name);
            if (Files.isExecutable(path)) return path;
        } else {
            Optional<Path> found = find(name);
            if (found.isPresent()) return found.get();
        }
        throw new ProviderException(
                name
                        + " is not installed or not executable; install it with: apt-get install -y --no-install-recommends "
                        + aptPackage + " (or set the qemu provider's binary setting to its path)",
                true);
    }

    /**
     * @param name a program name without a {@code /}
     * @return the first regular, executable file {@code name} in a directory of {@code PATH}
     *     ({@code /usr/local/bin:/usr/bin:/bin} when unset); empty when there is none
     */
    static Optional<Path> find(String name) {
        String pathVar = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : pathVar.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }
}
