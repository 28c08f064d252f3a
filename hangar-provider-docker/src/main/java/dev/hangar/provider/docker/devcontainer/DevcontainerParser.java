package dev.hangar.provider.docker.devcontainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.provider.docker.devcontainer.DevcontainerConfig.Build;
import dev.hangar.provider.docker.devcontainer.DevcontainerConfig.Feature;
import dev.hangar.provider.docker.devcontainer.DevcontainerConfig.ForwardPort;
import dev.hangar.provider.docker.devcontainer.DevcontainerConfig.LifecycleCommand;
import dev.hangar.provider.docker.devcontainer.DevcontainerConfig.Mount;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a devcontainer folder's {@code .devcontainer/devcontainer.json} (or {@code
 * .devcontainer.json} at its root) into a {@link DevcontainerConfig}: JSON with comments and
 * trailing commas ({@link DevcontainerJson}). Errors name the file, line and column. Keys Hangar does
 * not act on are collected in {@link DevcontainerConfig#unsupported()}. Features are local folders
 * ({@code ./x}) or OCI references ({@link FeatureReference}, fetched before the build by {@link
 * RegistryFeatures}); bind mounts from outside the folder and variables other than the
 * workspace-folder ones are refused. Pure apart from reading the files; thread-safe (stateless).
 */
public final class DevcontainerParser {
    /** The top-level keys Hangar acts on ({@code name} is only a label). */
    public static final Set<String> SUPPORTED = Set.of(
            "name",
            "image",
            "build",
            "containerEnv",
            "remoteEnv",
            "remoteUser",
            "mounts",
            "workspaceFolder",
            "workspaceMount",
            "postCreateCommand",
            "postStartCommand",
            "forwardPorts",
            "features");

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

    private DevcontainerParser() {}

    /**
     * @return the devcontainer.json of {@code folder}: {@code .devcontainer/devcontainer.json}, else
     *     {@code .devcontainer.json}; empty when it has neither
     */
    public static Optional<Path> locate(Path folder) {
        for (Path p : List.of(folder.resolve(".devcontainer/devcontainer.json"), folder.resolve(".devcontainer.json")))
            if (Files.isRegularFile(p)) return Optional.of(p);
        return Optional.empty();
    }

    /**
     * Reads the devcontainer.json of {@code folder} and the devcontainer-feature.json of each local
     * feature.
     *
     * @param folder an absolute directory on this host
     * @throws DevcontainerException when there is no devcontainer.json, it is not valid, or it asks
     *     for something Hangar refuses; the message names file, line and column
     */
    public static DevcontainerConfig read(Path folder) {
        Path dir = folder.toAbsolutePath().normalize();
        Path file = locate(dir)
                .orElseThrow(() -> new DevcontainerException(
                        dir,
                        0,
                        0,
                        "no devcontainer.json (looked for .devcontainer/devcontainer.json and .devcontainer.json)"));
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DevcontainerException(file, 0, 0, "cannot read: " + e.getMessage());
        }
        return parse(dir, file, text);
    }

    /**
     * Parses {@code text} as the devcontainer.json {@code file} of {@code folder}.
     *
     * @throws DevcontainerException as {@link #read}
     */
    public static DevcontainerConfig parse(Path folder, Path file, String text) {
        return new Reading(folder, file, text).config();
    }

    /** The state of one read: the lenient JSON tree ({@link DevcontainerJson}) and the workspace folder. */
    private static final class Reading {
        private final Path folder;
        private final Path file;
        private final Path base;
        private final DevcontainerJson json;
        private final ObjectNode root;
        private String containerWorkspaceFolder;

        Reading(Path folder, Path file, String text) {
            this.folder = folder;
            this.file = file;
            this.base = file.getParent();
            this.json = DevcontainerJson.parse(file, text);
            this.root = json.root();
        }

        DevcontainerConfig config() {
            List<String> unsupported = new ArrayList<>();
            root.fieldNames().forEachRemaining(k -> {
                if (!SUPPORTED.contains(k)) unsupported.add(k);
            });
            String basename = folder.getFileName() == null
                    ? "workspace"
                    : folder.getFileName().toString();
            containerWorkspaceFolder = "/workspaces/" + basename;
            Optional<String> wf = string("workspaceFolder");
            wf.ifPresent(w -> {
                if (!w.startsWith("/")) throw error("workspaceFolder", "must be an absolute path, got '" + w + "'");
            });
            containerWorkspaceFolder =
                    wf.map(w -> substitute("workspaceFolder", w)).orElse(containerWorkspaceFolder);
            Optional<String> image = string("image");
            Optional<Build> build = build();
            if (image.isPresent() && build.isPresent()) throw error("build", "give either image or build, not both");
            if (image.isEmpty() && build.isEmpty())
                throw new DevcontainerException(
                        file, 1, 1, "needs image or build (Docker Compose files are not supported by Hangar)");
            List<Mount> mounts = new ArrayList<>();
            mounts.add(
                    root.has("workspaceMount")
                            ? mount("workspaceMount", root.get("workspaceMount"))
                            : new Mount("bind", folder.toString(), containerWorkspaceFolder, false));
            JsonNode m = root.get("mounts");
            if (m != null) {
                if (!m.isArray()) throw error("mounts", "must be an array of strings or objects");
                for (JsonNode each : m) mounts.add(mount("mounts", each));
            }
            return new DevcontainerConfig(
                    folder,
                    file,
                    image,
                    build,
                    env("containerEnv"),
                    env("remoteEnv"),
                    string("remoteUser"),
                    mounts,
                    containerWorkspaceFolder,
                    command("postCreateCommand"),
                    command("postStartCommand"),
                    forwardPorts(),
                    features(),
                    unsupported);
        }

        private Optional<String> string(String key) {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) return Optional.empty();
            if (!n.isTextual() || n.asText().isBlank()) throw error(key, "must be a non-empty string");
            return Optional.of(n.asText());
        }

        private Optional<Build> build() {
            JsonNode b = root.get("build");
            if (b == null || b.isNull()) return Optional.empty();
            if (!b.isObject()) throw error("build", "must be an object with dockerfile, context, args, target");
            Set<String> known = Set.of("dockerfile", "context", "args", "target");
            List<String> other = new ArrayList<>();
            b.fieldNames().forEachRemaining(k -> {
                if (!known.contains(k)) other.add(k);
            });
            if (!other.isEmpty())
                throw error("build", "has keys Hangar does not support: " + other + " (supported: " + known + ")");
            JsonNode df = b.get("dockerfile");
            if (df == null || !df.isTextual() || df.asText().isBlank())
                throw error("build", "build.dockerfile must name the Dockerfile, relative to " + file.getFileName());
            JsonNode ctx = b.get("context");
            if (ctx != null && !ctx.isTextual()) throw error("build", "build.context must be a string");
            Path context = base.resolve(ctx == null ? "." : substitute("build", ctx.asText()))
                    .normalize();
            Path dockerfile = base.resolve(substitute("build", df.asText())).normalize();
            if (!context.startsWith(folder))
                throw error("build", "build.context " + context + " is outside the devcontainer folder " + folder);
            if (!dockerfile.startsWith(context))
                throw error("build", "build.dockerfile " + dockerfile + " must be inside build.context " + context);
            Map<String, String> args = new LinkedHashMap<>();
            JsonNode a = b.get("args");
            if (a != null) {
                if (!a.isObject()) throw error("build", "build.args must be an object of strings");
                a.fields().forEachRemaining(e -> {
                    if (!e.getValue().isValueNode() || e.getValue().isNull())
                        throw error("build", "build.args." + e.getKey() + " must be a string");
                    args.put(e.getKey(), substitute("build", e.getValue().asText()));
                });
            }
            JsonNode t = b.get("target");
            if (t != null && (!t.isTextual() || t.asText().isBlank()))
                throw error("build", "build.target must be a non-empty string");
            return Optional.of(
                    new Build(dockerfile, context, args, Optional.ofNullable(t).map(JsonNode::asText)));
        }

        private Map<String, String> env(String key) {
            JsonNode n = root.get(key);
            Map<String, String> env = new LinkedHashMap<>();
            if (n == null || n.isNull()) return env;
            if (!n.isObject()) throw error(key, "must be an object of NAME: value");
            n.fields().forEachRemaining(e -> {
                if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*"))
                    throw error(key, "'" + e.getKey() + "' is not an environment variable name");
                if (e.getValue().isNull()) return; // remoteEnv: null unsets, which is the default here
                if (!e.getValue().isValueNode()) throw error(key, key + "." + e.getKey() + " must be a string");
                env.put(e.getKey(), substitute(key, e.getValue().asText()));
            });
            return env;
        }

        private Mount mount(String key, JsonNode n) {
            Map<String, String> fields = new HashMap<>();
            if (n.isTextual()) {
                for (String part : n.asText().split(",")) {
                    int eq = part.indexOf('=');
                    String k = (eq < 0 ? part : part.substring(0, eq)).strip().toLowerCase(java.util.Locale.ROOT);
                    fields.put(k, eq < 0 ? "true" : part.substring(eq + 1).strip());
                }
            } else if (n.isObject()) {
                n.fields()
                        .forEachRemaining(e -> fields.put(
                                e.getKey().toLowerCase(java.util.Locale.ROOT),
                                e.getValue().asText()));
            } else {
                throw error(key, "a mount must be a string 'type=bind,source=...,target=...' or an object");
            }
            String type = fields.getOrDefault("type", "volume");
            String source = first(fields, "source", "src");
            String target = first(fields, "target", "destination", "dst");
            boolean readOnly = "true".equals(first(fields, "readonly", "ro"));
            if (target == null || !substitute(key, target).startsWith("/"))
                throw error(key, "a mount needs an absolute target, got " + n);
            target = substitute(key, target);
            if (source == null || source.isBlank()) throw error(key, "a mount needs a source, got " + n);
            source = substitute(key, source);
            switch (type) {
                case "bind" -> {
                    Path p = folder.resolve(source).normalize();
                    if (!p.startsWith(folder))
                        throw error(
                                key,
                                "bind mount source " + p + " is outside the devcontainer folder " + folder
                                        + " (Hangar binds only paths inside it: the folder is on the server)");
                    source = p.toString();
                }
                case "volume" -> {
                    if (!source.matches("[A-Za-z0-9][A-Za-z0-9_.-]*"))
                        throw error(key, "volume name '" + source + "' is not a valid volume name");
                }
                default -> throw error(key, "mount type '" + type + "' is not supported (bind or volume)");
            }
            return new Mount(type, source, target, readOnly);
        }

        private static String first(Map<String, String> m, String... keys) {
            for (String k : keys) if (m.containsKey(k)) return m.get(k);
            return null;
        }

        private Optional<LifecycleCommand> command(String key) {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) return Optional.empty();
            Map<String, List<String>> steps = new LinkedHashMap<>();
            if (n.isObject()) {
                n.fields().forEachRemaining(e -> steps.put(e.getKey(), commandLine(key, e.getValue())));
                if (steps.isEmpty()) return Optional.empty();
            } else {
                steps.put("", commandLine(key, n));
            }
            return Optional.of(new LifecycleCommand(steps));
        }

        private List<String> commandLine(String key, JsonNode n) {
            if (n.isTextual() && !n.asText().isBlank()) return List.of("/bin/sh", "-c", n.asText());
            if (n.isArray() && !n.isEmpty()) {
                List<String> argv = new ArrayList<>();
                for (JsonNode a : n) {
                    if (!a.isTextual()) throw error(key, "array elements must be strings, got " + a);
                    argv.add(a.asText());
                }
                return argv;
            }
            throw error(key, "must be a string, an array of strings or an object of those");
        }

        private List<ForwardPort> forwardPorts() {
            JsonNode n = root.get("forwardPorts");
            List<ForwardPort> ports = new ArrayList<>();
            if (n == null || n.isNull()) return ports;
            if (!n.isArray()) throw error("forwardPorts", "must be an array of port numbers or \"host:port\" strings");
            for (JsonNode p : n) {
                String host = "localhost";
                String port = p.asText();
                if (p.isTextual() && port.contains(":")) {
                    host = port.substring(0, port.lastIndexOf(':'));
                    port = port.substring(port.lastIndexOf(':') + 1);
                }
                int number;
                try {
                    number = (p.isInt() || p.isTextual()) ? Integer.parseInt(port) : -1;
                } catch (NumberFormatException e) {
                    number = -1;
                }
                if (number < 1 || number > 65535 || host.isBlank() || !host.matches("[A-Za-z0-9._-]+"))
                    throw error("forwardPorts", "'" + p.asText() + "' is not a port (1-65535) or host:port");
                ports.add(new ForwardPort(host, number));
            }
            return ports;
        }

        private List<Feature> features() {
            JsonNode n = root.get("features");
            List<Feature> features = new ArrayList<>();
            if (n == null || n.isNull()) return features;
            if (!n.isObject()) throw error("features", "must be an object of feature id: options");
            n.fields().forEachRemaining(e -> {
                String id = e.getKey();
                Optional<FeatureReference> reference;
                try {
                    reference = FeatureReference.parse(id);
                } catch (IllegalArgumentException bad) {
                    throw error("features", bad.getMessage());
                }
                DevcontainerConfig.Source source;
                if (reference.isPresent()) {
                    source = new DevcontainerConfig.Registry(reference.get());
                } else {
                    Path dir = base.resolve(id).normalize();
                    if (!dir.startsWith(base) || dir.equals(base))
                        throw error("features", "local feature '" + id + "' must be a folder below " + base);
                    if (!Files.isRegularFile(dir.resolve("install.sh")))
                        throw error("features", "local feature '" + id + "' has no install.sh in " + dir);
                    source = new DevcontainerConfig.Local(dir);
                }
                Map<String, String> options = new LinkedHashMap<>();
                JsonNode o = e.getValue();
                if (o.isObject()) {
                    o.fields().forEachRemaining(opt -> {
                        if (!opt.getValue().isValueNode() || opt.getValue().isNull())
                            throw error(
                                    "features",
                                    "option " + id + "." + opt.getKey() + " must be a string, number or boolean");
                        options.put(opt.getKey(), opt.getValue().asText());
                    });
                } else if (o.isTextual()) {
                    options.put("version", o.asText());
                } else if (!o.isBoolean()) {
                    throw error("features", "options of '" + id + "' must be an object");
                }
                features.add(new Feature(id, source, options));
            });
            return features;
        }

        private String substitute(String key, String value) {
            Matcher m = VARIABLE.matcher(value);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String name = m.group(1);
                String with = switch (name) {
                    case "localWorkspaceFolder" -> folder.toString();
                    case "localWorkspaceFolderBasename" -> String.valueOf(folder.getFileName());
                    case "containerWorkspaceFolder" -> containerWorkspaceFolder;
                    case "containerWorkspaceFolderBasename" ->
                        containerWorkspaceFolder.substring(containerWorkspaceFolder.lastIndexOf('/') + 1);
                    default ->
                        throw error(
                                key,
                                "variable ${" + name + "} is not supported (only ${localWorkspaceFolder},"
                                        + " ${localWorkspaceFolderBasename}, ${containerWorkspaceFolder},"
                                        + " ${containerWorkspaceFolderBasename}; ${localEnv:...} would read the"
                                        + " server's environment)");
                };
                m.appendReplacement(out, Matcher.quoteReplacement(with));
            }
            m.appendTail(out);
            return out.toString();
        }

        private DevcontainerException error(String key, String message) {
            return json.error(key, message);
        }
    }
}
