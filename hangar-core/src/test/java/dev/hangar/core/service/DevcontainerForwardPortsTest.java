package dev.hangar.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevcontainerForwardPortsTest {
    @TempDir
    Path dir;

    @Test
    void readsNumbersAndHostPortsWithCommentsAndTrailingCommas() throws IOException {
        Files.createDirectories(dir.resolve(".devcontainer"));
        Files.writeString(dir.resolve(".devcontainer/devcontainer.json"), """
                // comment
                {"image": "x:1", "forwardPorts": [3000, "db:5432", 0, "bad host:1", 70000,],}
                """);
        assertThat(DevcontainerForwardPorts.read(dir.toString())).containsExactly("localhost:3000", "db:5432");
    }

    @Test
    void noFolderNoFileOrInvalidJsonIsEmpty() throws IOException {
        assertThat(DevcontainerForwardPorts.read("")).isEmpty();
        assertThat(DevcontainerForwardPorts.read(dir.toString())).isEmpty();
        Files.writeString(dir.resolve(".devcontainer.json"), "{\"forwardPorts\": [1,");
        assertThat(DevcontainerForwardPorts.read(dir.toString())).isEmpty();
        Files.writeString(dir.resolve(".devcontainer.json"), "{\"forwardPorts\": [8080]}");
        assertThat(DevcontainerForwardPorts.read(dir.toString())).containsExactly("localhost:8080");
    }
}
