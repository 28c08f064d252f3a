package dev.hangar.nocloud;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The files of a cloud-init NoCloud seed (cloud-init docs, "NoCloud": a vfat or iso9660 file system
 * labelled {@code cidata}, or a directory, holding {@code user-data}, {@code meta-data} and,
 * optionally, {@code network-config}). The same three files go into a CIDATA ISO, into the FAT boot
 * partition of a Raspberry Pi SD card, or into a directory.
 *
 * @param userData the {@code user-data} file's text (usually starting with {@code #cloud-config})
 * @param metaData the {@code meta-data} file's text; may be empty (an empty file is valid)
 * @param networkConfig the {@code network-config} file's text; empty means the file is absent
 */
public record NoCloudFiles(String userData, String metaData, String networkConfig) {
    /** The user-data file name. */
    public static final String USER_DATA = "user-data";
    /** The meta-data file name. */
    public static final String META_DATA = "meta-data";
    /** The network-config file name. */
    public static final String NETWORK_CONFIG = "network-config";

    public NoCloudFiles {
        Objects.requireNonNull(userData, "userData");
        Objects.requireNonNull(metaData, "metaData");
        Objects.requireNonNull(networkConfig, "networkConfig");
    }

    /** Only user-data and meta-data: no network-config file. */
    public NoCloudFiles(String userData, String metaData) {
        this(userData, metaData, "");
    }

    /**
     * @return file name to content, in the order user-data, meta-data, network-config; the
     *     network-config entry only when it is not empty
     */
    public Map<String, String> byName() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(USER_DATA, userData);
        files.put(META_DATA, metaData);
        if (!networkConfig.isEmpty()) files.put(NETWORK_CONFIG, networkConfig);
        return files;
    }

    /**
     * Reads the seed files from {@code dir}. Files other than the three are ignored.
     *
     * @throws IllegalArgumentException if {@code dir} is not a directory, or {@code user-data} or
     *     {@code meta-data} is missing there (the message names what is missing and what to do)
     * @throws IOException if a file exists but cannot be read
     */
    public static NoCloudFiles read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(
                    dir + " is not a directory; give the directory that holds " + USER_DATA + " and " + META_DATA);
        }
        List<String> missing = new ArrayList<>();
        for (String name : List.of(USER_DATA, META_DATA)) {
            if (!Files.isRegularFile(dir.resolve(name))) missing.add(name);
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(dir + " has no " + String.join(" and no ", missing)
                    + "; a NoCloud seed needs both (meta-data may be an empty file)");
        }
        return new NoCloudFiles(
                Files.readString(dir.resolve(USER_DATA), StandardCharsets.UTF_8),
                Files.readString(dir.resolve(META_DATA), StandardCharsets.UTF_8),
                readOptional(dir.resolve(NETWORK_CONFIG)));
    }

    private static String readOptional(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        }
    }
}
