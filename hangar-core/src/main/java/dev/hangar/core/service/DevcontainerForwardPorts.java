package dev.hangar.core.service;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code forwardPorts} of a workspace's devcontainer.json, for {@code hangar config-ssh}'s
 * {@code LocalForward} lines (the docker provider reads the whole file; the server may not see
 * provider classes). Read when asked, so an edited file counts at the next config-ssh. Thread-safe
 * (stateless).
 */
public final class DevcontainerForwardPorts {
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .build();

    private DevcontainerForwardPorts() {}

    /**
     * @param folder the workspace's devcontainer folder; empty for none
     * @return {@code host:port} per entry ({@code 3000} becomes {@code localhost:3000}); empty when
     *     there is no folder, no file, or the file is invalid (the provider reports that on the
     *     workspace), skipping entries that are not a port 1-65535 or {@code host:port}
     */
    public static List<String> read(String folder) {
        if (folder.isEmpty()) return List.of();
        Path dir = Path.of(folder);
        Path file = dir.resolve(".devcontainer/devcontainer.json");
        if (!Files.isRegularFile(file)) file = dir.resolve(".devcontainer.json");
        List<String> ports = new ArrayList<>();
        try {
            JsonNode n = JSON.readTree(Files.readString(file)).path("forwardPorts");
            for (JsonNode p : n) {
                String text = p.asText();
                String host = text.contains(":") ? text.substring(0, text.lastIndexOf(':')) : "localhost";
                String port = text.substring(text.lastIndexOf(':') + 1);
                if (host.matches("[A-Za-z0-9._-]+")
                        && port.matches("[0-9]{1,5}")
                        && Integer.parseInt(port) >= 1
                        && Integer.parseInt(port) <= 65535) ports.add(host + ":" + port);
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        return List.copyOf(ports);
    }
}
