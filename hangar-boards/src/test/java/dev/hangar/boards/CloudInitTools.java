package dev.hangar.boards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hangar.testfixtures.HostCommands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Debian's real cloud-init (22.4) as the judge of what the renderers write, and keys from ssh-keygen. */
final class CloudInitTools {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private CloudInitTools() {}

    /**
     * Validates {@code userData} with {@code cloud-init schema --config-file}; fails the test with
     * cloud-init's complaint otherwise.
     */
    static void assertValidCloudConfig(Path dir, String name, String userData) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, userData);
        String out = HostCommands.run(List.of("cloud-init", "schema", "--config-file", file.toString()))
                .orThrow("cloud-init schema --config-file " + file + " for:\n" + userData)
                .output();
        if (out.contains("DEPRECATED"))
            throw new AssertionError("cloud-init schema warns:\n" + out + "\nfor:\n" + userData);
    }

    /**
     * Parses {@code networkConfig} with cloud-init's own network-config parser and renders it as
     * netplan ({@code cloud-init devel net-convert -k yaml -O netplan}).
     *
     * @return the rendered netplan YAML
     */
    static String netConvertToNetplan(Path dir, String networkConfig) throws Exception {
        Path in = dir.resolve("network-config");
        Path out = Files.createDirectories(dir.resolve("net-convert"));
        Files.writeString(in, networkConfig);
        HostCommands.run(List.of(
                        "cloud-init",
                        "devel",
                        "net-convert",
                        "-p",
                        in.toString(),
                        "-k",
                        "yaml",
                        "-d",
                        out.toString(),
                        "-D",
                        "ubuntu",
                        "-O",
                        "netplan"))
                .orThrow("cloud-init devel net-convert of:\n" + networkConfig);
        try (var files = Files.walk(out)) {
            Path netplan = files.filter(p -> p.toString().endsWith(".yaml"))
                    .findFirst()
                    .orElseThrow();
            return Files.readString(netplan);
        }
    }

    /** @return the YAML document as a tree */
    static JsonNode tree(String yaml) throws Exception {
        return YAML.readTree(yaml);
    }

    /** @return a fresh ed25519 public key line made by ssh-keygen, in a file of its own */
    static Path newPublicKey(Path dir, String name) throws Exception {
        Path key = dir.resolve(name);
        HostCommands.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key.toString()))
                .orThrow("ssh-keygen");
        return dir.resolve(name + ".pub");
    }
}
