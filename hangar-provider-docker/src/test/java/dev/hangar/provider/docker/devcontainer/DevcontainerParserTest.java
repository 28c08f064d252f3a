package dev.hangar.provider.docker.devcontainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.docker.devcontainer.DevcontainerConfig.ForwardPort;
import dev.hangar.provider.docker.devcontainer.DevcontainerConfig.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevcontainerParserTest {
    @TempDir
    Path dir;

    private Path write(String relative, String text) throws IOException {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    private DevcontainerConfig read(String json) throws IOException {
        write(".devcontainer/devcontainer.json", json);
        return DevcontainerParser.read(dir);
    }

    @Test
    void readsEverySupportedKeyWithCommentsAndTrailingCommas() throws IOException {
        write(".devcontainer/Dockerfile", "FROM scratch\n");
        write(".devcontainer/hello/install.sh", "#!/bin/sh\n");
        DevcontainerConfig c = read("""
                // a comment
                {
                  "name": "demo", /* block comment */
                  "build": {
                    "dockerfile": "Dockerfile",
                    "context": ".",
                    "args": { "VARIANT": "12", "N": 3, },
                    "target": "dev",
                  },
                  "containerEnv": { "FOO": "bar", "WS": "${containerWorkspaceFolder}" },
                  "remoteEnv": { "EDITOR": "vi", "UNSET": null },
                  "remoteUser": "vscode",
                  "mounts": [
                    "source=cache-vol,target=/cache,type=volume",
                    { "type": "bind", "source": "${localWorkspaceFolder}/data", "target": "/data", "readonly": true },
                  ],
                  "workspaceFolder": "/src",
                  "postCreateCommand": "echo created > ~/created",
                  "postStartCommand": ["touch", "/tmp/started"],
                  "forwardPorts": [3000, "db:5432"],
                  "features": { "./hello": { "greeting": "hi", "loud": true } },
                }
                """);
        Path base = dir.resolve(".devcontainer");
        assertThat(c.folder()).isEqualTo(dir);
        assertThat(c.file()).isEqualTo(base.resolve("devcontainer.json"));
        assertThat(c.image()).isEmpty();
        assertThat(c.build()).get().satisfies(b -> {
            assertThat(b.dockerfile()).isEqualTo(base.resolve("Dockerfile"));
            assertThat(b.context()).isEqualTo(base);
            assertThat(b.args()).containsExactlyInAnyOrderEntriesOf(Map.of("VARIANT", "12", "N", "3"));
            assertThat(b.target()).contains("dev");
        });
        assertThat(c.containerEnv()).containsExactlyInAnyOrderEntriesOf(Map.of("FOO", "bar", "WS", "/src"));
        assertThat(c.remoteEnv()).containsExactlyInAnyOrderEntriesOf(Map.of("EDITOR", "vi"));
        assertThat(c.remoteUser()).contains("vscode");
        assertThat(c.workspaceFolder()).isEqualTo("/src");
        assertThat(c.mounts())
                .containsExactly(
                        new Mount("bind", dir.toString(), "/src", false),
                        new Mount("volume", "cache-vol", "/cache", false),
                        new Mount("bind", dir.resolve("data").toString(), "/data", true));
        assertThat(c.postCreateCommand().orElseThrow().steps())
                .containsExactly(Map.entry("", List.of("/bin/sh", "-c", "echo created > ~/created")));
        assertThat(c.postStartCommand().orElseThrow().steps())
                .containsExactly(Map.entry("", List.of("touch", "/tmp/started")));
        assertThat(c.forwardPorts()).containsExactly(new ForwardPort("localhost", 3000), new ForwardPort("db", 5432));
        assertThat(c.features()).singleElement().satisfies(f -> {
            assertThat(f.id()).isEqualTo("./hello");
            assertThat(f.directory()).isEqualTo(base.resolve("hello"));
            assertThat(f.options()).containsExactlyInAnyOrderEntriesOf(Map.of("greeting", "hi", "loud", "true"));
        });
        assertThat(c.unsupported()).isEmpty();
    }

    @Test
    void featuresFromRegistriesAreReferencesKeptInFileOrderWithLocalOnes() throws IOException {
        write(".devcontainer/local/install.sh", "#!/bin/sh\n");
        DevcontainerConfig c = read("""
                {"image": "x:1",
                 "features": {
                   "ghcr.io/devcontainers/features/node:1": {"version": "20"},
                   "./local": {},
                   "127.0.0.1:5000/team/tool@sha256:%s": "2.1",
                 }}
                """.formatted("ab".repeat(32)));
        assertThat(c.features())
                .extracting(DevcontainerConfig.Feature::id)
                .containsExactly(
                        "ghcr.io/devcontainers/features/node:1",
                        "./local",
                        "127.0.0.1:5000/team/tool@sha256:" + "ab".repeat(32));
        DevcontainerConfig.Feature node = c.features().getFirst();
        assertThat(node.reference()).contains(new FeatureReference("ghcr.io", "devcontainers/features/node", "1"));
        assertThat(node.options()).containsExactly(Map.entry("version", "20"));
        assertThatThrownBy(node::directory).hasMessageContaining("was not fetched yet");
        assertThat(c.features().get(1).reference()).isEmpty();
        assertThat(c.features().get(2).options()).containsExactly(Map.entry("version", "2.1"));
    }

    @Test
    void imageWithDefaultsAndRootFile() throws IOException {
        write(".devcontainer.json", "{\"image\": \"localhost/hangar/workspace:test\"}");
        DevcontainerConfig c = DevcontainerParser.read(dir);
        assertThat(c.file()).isEqualTo(dir.resolve(".devcontainer.json"));
        assertThat(c.image()).contains("localhost/hangar/workspace:test");
        String ws = "/workspaces/" + dir.getFileName();
        assertThat(c.workspaceFolder()).isEqualTo(ws);
        assertThat(c.mounts()).containsExactly(new Mount("bind", dir.toString(), ws, false));
        assertThat(c.postCreateCommand()).isEmpty();
        assertThat(c.postStartCommand()).isEmpty();
        assertThat(c.features()).isEmpty();
        assertThat(c.remoteUser()).isEmpty();
    }

    @Test
    void objectFormOfLifecycleCommandsKeepsOrderAndBothForms() throws IOException {
        DevcontainerConfig c = read("""
                {"image": "x:1", "postCreateCommand": {"b": "make", "a": ["npm", "ci"]}}
                """);
        assertThat(c.postCreateCommand().orElseThrow().steps())
                .containsExactly(
                        Map.entry("b", List.of("/bin/sh", "-c", "make")), Map.entry("a", List.of("npm", "ci")));
    }

    @Test
    void workspaceMountStringForm() throws IOException {
        DevcontainerConfig c = read("""
                {"image": "x:1", "workspaceFolder": "/w",
                 "workspaceMount": "source=${localWorkspaceFolder},target=${containerWorkspaceFolder},type=bind,readonly"}
                """);
        assertThat(c.mounts()).containsExactly(new Mount("bind", dir.toString(), "/w", true));
    }

    @Test
    void unsupportedKeysAreListedInFileOrder() throws IOException {
        DevcontainerConfig c = read("""
                {"customizations": {"vscode": {}}, "image": "x:1", "runArgs": ["--init"], "postAttachCommand": "x"}
                """);
        assertThat(c.unsupported()).containsExactly("customizations", "runArgs", "postAttachCommand");
    }

    @Test
    void invalidJsonNamesLineAndColumn() {
        assertThatThrownBy(() -> read("{\n  \"image\": \"x:1\"\n  \"remoteUser\": \"a\"\n}"))
                .isInstanceOfSatisfying(DevcontainerException.class, e -> {
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.column()).isEqualTo(3);
                    assertThat(e.permanent()).isTrue();
                })
                .hasMessageStartingWith(dir.resolve(".devcontainer/devcontainer.json") + ":3:3: invalid JSON");
    }

    @Test
    void aWrongShapeNamesTheKeysLineAndColumn() {
        assertThatThrownBy(() -> read("{\n  \"image\": \"x:1\",\n    \"containerEnv\": [\"A=b\"]\n}"))
                .isInstanceOfSatisfying(DevcontainerException.class, e -> {
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.column()).isEqualTo(5);
                })
                .hasMessageContaining(":3:5: containerEnv: must be an object");
    }

    @Test
    void eachRefusalHasLineAndColumn() {
        record Case(String json, int line, int column, String message) {}
        for (Case c : List.of(
                new Case(
                        "{\"image\": \"x:1\",\n\"features\": {\"go\": {}}}",
                        2,
                        1,
                        "feature 'go' is not a valid feature reference: name the registry"),
                new Case(
                        "{\"image\": \"x:1\",\n\"features\": {\"devcontainers/features/go:1\": {}}}",
                        2,
                        1,
                        "features have no default registry"),
                new Case("{\"image\": \"x:1\",\n \"features\": {\"./missing\": {}}}", 2, 2, "has no install.sh"),
                new Case(
                        "{\"image\": \"x:1\",\n  \"mounts\": [\"source=/etc,target=/e,type=bind\"]}",
                        2,
                        3,
                        "outside the devcontainer folder"),
                new Case(
                        "{\"image\": \"x:1\",\n\"mounts\": [\"source=v,target=/e,type=tmpfs\"]}",
                        2,
                        1,
                        "mount type 'tmpfs' is not supported"),
                new Case("{\"image\": \"x:1\",\n\"mounts\": [\"source=v\"]}", 2, 1, "absolute target"),
                new Case(
                        "{\"image\": \"x:1\",\n\"containerEnv\": {\"A\": \"${localEnv:HOME}\"}}",
                        2,
                        1,
                        "${localEnv:HOME} is not supported"),
                new Case("{\"image\": \"x:1\",\n\"postStartCommand\": 5}", 2, 1, "must be a string, an array"),
                new Case("{\"image\": \"x:1\",\n\"forwardPorts\": [70000]}", 2, 1, "is not a port"),
                new Case("{\"image\": \"x:1\",\n\"workspaceFolder\": \"rel\"}", 2, 1, "must be an absolute path"),
                new Case("{\"image\": \"x:1\",\n\"remoteUser\": 3}", 2, 1, "must be a non-empty string"),
                new Case("{\"image\": \"x:1\",\n\"build\": {\"dockerfile\": \"D\"}}", 2, 1, "either image or build"),
                new Case("{\n\"build\": {\"dockerfile\": \"D\", \"cacheFrom\": \"x\"}}", 2, 1, "cacheFrom"),
                new Case(
                        "{\n\"build\": {\"dockerfile\": \"../../D\", \"context\": \"..\"}}",
                        2,
                        1,
                        "must be inside build.context"),
                new Case(
                        "{\n\"build\": {\"dockerfile\": \"D\", \"context\": \"../..\"}}",
                        2,
                        1,
                        "outside the devcontainer folder"))) {
            assertThatThrownBy(() -> read(c.json()))
                    .as(c.json())
                    .isInstanceOfSatisfying(DevcontainerException.class, e -> {
                        assertThat(e.line()).as(c.json()).isEqualTo(c.line());
                        assertThat(e.column()).as(c.json()).isEqualTo(c.column());
                    })
                    .hasMessageContaining(c.message());
        }
    }

    @Test
    void neitherImageNorBuildAndNoFileAreClear() throws IOException {
        assertThatThrownBy(() -> DevcontainerParser.read(dir))
                .isInstanceOf(DevcontainerException.class)
                .hasMessageContaining("no devcontainer.json");
        assertThat(DevcontainerParser.locate(dir)).isEqualTo(Optional.empty());
        assertThatThrownBy(() -> read("{\"dockerComposeFile\": \"c.yml\"}"))
                .isInstanceOf(DevcontainerException.class)
                .hasMessageContaining(":1:1: needs image or build");
        assertThatThrownBy(() -> read("[1]")).hasMessageContaining("must be a JSON object");
    }
}
