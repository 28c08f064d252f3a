package dev.hangar.nocloud;

import com.github.stephenc.javaisotools.iso9660.ConfigException;
import com.github.stephenc.javaisotools.iso9660.ISO9660File;
import com.github.stephenc.javaisotools.iso9660.ISO9660RootDirectory;
import com.github.stephenc.javaisotools.iso9660.impl.CreateISO;
import com.github.stephenc.javaisotools.iso9660.impl.ISO9660Config;
import com.github.stephenc.javaisotools.iso9660.impl.ISO9660NamingConventions;
import com.github.stephenc.javaisotools.iso9660.impl.ISOImageFileHandler;
import com.github.stephenc.javaisotools.joliet.impl.JolietConfig;
import com.github.stephenc.javaisotools.joliet.impl.JolietNamingConventions;
import com.github.stephenc.javaisotools.rockridge.impl.RockRidgeConfig;
import com.github.stephenc.javaisotools.sabre.HandlerException;
import com.github.stephenc.javaisotools.sabre.impl.ByteArrayDataReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a cloud-init NoCloud seed: an ISO 9660 image with volume label {@code cidata} holding the
 * files {@code meta-data}, {@code user-data} and, when given, {@code network-config} at its root
 * (cloud-init docs, "NoCloud" datasource). The project's one ISO writer: the qemu provider's seed
 * disk and {@code hangar seed-iso} both come from here. Stateless and thread-safe.
 *
 * <p>iso9660-writer upper-cases the primary volume id to {@code CIDATA}; cloud-init matches the
 * label case-insensitively. The hyphenated file names are not legal plain ISO 9660 names, so the
 * image carries Rock Ridge and Joliet records as {@code genisoimage -rock -joliet} (what
 * {@code cloud-localds} uses) does, and Linux shows the real names.
 */
public final class NoCloudSeed {
    /** The volume label cloud-init's NoCloud datasource looks for. */
    public static final String VOLUME_LABEL = "cidata";

    private NoCloudSeed() {}

    /**
     * Writes the seed to {@code iso}, atomically: a temporary file in the same directory is renamed
     * over it, so a crash never leaves a half-written seed. Idempotent.
     *
     * @throws IOException if the file cannot be written
     */
    public static void write(Path iso, String metaData, String userData) throws IOException {
        write(iso, new NoCloudFiles(userData, metaData));
    }

    /**
     * Writes the seed with every file of {@code files} (network-config only when not empty) to
     * {@code iso}, atomically: a temporary file in the same directory is renamed over it, so a crash
     * never leaves a half-written seed. Idempotent.
     *
     * @throws IOException if the file cannot be written
     */
    public static void write(Path iso, NoCloudFiles files) throws IOException {
        Path tmp = iso.resolveSibling(iso.getFileName() + ".tmp");
        try {
            ISO9660RootDirectory root = new ISO9660RootDirectory();
            for (var f : files.byName().entrySet()) root.addFile(file(f.getKey(), f.getValue()));
            ISO9660Config iso9660 = new ISO9660Config();
            iso9660.allowASCII(false);
            iso9660.restrictDirDepthTo8(true);
            iso9660.setVolumeID(VOLUME_LABEL);
            // forceDotDelimiter(false) sets these (process-wide) flags and also prints a warning on
            // System.out, which would end up in the CLI's output: set them directly.
            ISO9660NamingConventions.FORCE_DOT_DELIMITER = false;
            RockRidgeConfig rockRidge = new RockRidgeConfig();
            rockRidge.setMkisofsCompatibility(false);
            rockRidge.hideMovedDirectoriesStore(true);
            rockRidge.forcePortableFilenameCharacterSet(true);
            JolietConfig joliet = new JolietConfig();
            joliet.setVolumeID(VOLUME_LABEL);
            JolietNamingConventions.FORCE_DOT_DELIMITER = false;
            new CreateISO(new ISOImageFileHandler(tmp.toFile()), root).process(iso9660, rockRidge, joliet, null);
            Files.move(tmp, iso, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (HandlerException | ConfigException e) {
            throw new IOException("cannot write NoCloud seed " + iso + ": " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static ISO9660File file(String name, String content) throws HandlerException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        ISO9660File file = new ISO9660File(new ByteArrayDataReference(bytes), name, System.currentTimeMillis());
        file.enforceDotDelimiter(false);
        return file;
    }
}
