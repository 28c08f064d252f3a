package dev.hangar.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hangar.api.CreateLabRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Builds the body of {@code POST /api/v1/labs} from a lab file ({@code -f lab.yaml}; shape in
 * docs/labs.md; a group's {@code userDataFile} is read here and sent as its {@code userData}) or from {@code --template}, {@code --group NAME=COUNT} and {@code --var K=V}
 * flags. A lab file with an unknown key, or a value of the wrong type, is refused here naming the
 * key and where it is ({@link ExitCodes#BAD_INPUT}); values are checked by the server. Stateless.
 */
final class LabFile {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    private static final Pattern GROUP = Pattern.compile("([^=]+)=(\\d{1,6})");
    private static final Pattern VAR = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(.*)", Pattern.DOTALL);

    private LabFile() {}

    /**
     * @param name the lab's name from the command line; the file's {@code name}, if it has one, must
     *     be the same
     * @throws CliException BAD_INPUT naming the file and key for an unreadable file, USAGE for a name
     *     mismatch
     */
    static CreateLabRequest read(Path file, String name) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new CliException(ExitCodes.BAD_INPUT, "lab file " + file + " does not exist");
        } catch (IOException e) {
            throw new CliException(ExitCodes.BAD_INPUT, "cannot read lab file " + file + ": " + e.getMessage());
        }
        CreateLabRequest r;
        try {
            JsonNode tree = YAML.readTree(text);
            if (tree == null || tree.isMissingNode() || tree.isNull())
                throw new CliException(ExitCodes.BAD_INPUT, "lab file " + file + " is empty");
            inlineUserDataFiles(file, tree);
            r = YAML.treeToValue(tree, CreateLabRequest.class);
        } catch (UnrecognizedPropertyException e) {
            List<String> known = new ArrayList<>(
                    e.getKnownPropertyIds().stream().map(Object::toString).toList());
            if (known.contains("userData")) known.add("userDataFile"); // read here, not a request key
            known.sort(null);
            throw new CliException(
                    ExitCodes.BAD_INPUT,
                    "lab file " + file + ": unknown key '" + e.getPropertyName() + "'" + where(e) + "; known keys: "
                            + String.join(", ", known) + " (see docs/labs.md)");
        } catch (JsonMappingException e) {
            throw new CliException(
                    ExitCodes.BAD_INPUT,
                    "lab file " + file + where(e) + ": "
                            + e.getOriginalMessage().split("\n")[0]);
        } catch (IOException e) {
            throw new CliException(
                    ExitCodes.BAD_INPUT,
                    "lab file " + file + " is not valid YAML: " + e.getMessage().split("\n")[0]);
        }
        if (r.name() != null && !r.name().equals(name))
            throw new CliException(
                    ExitCodes.USAGE,
                    "the lab file names the lab '" + r.name() + "', the command line '" + name
                            + "'; leave 'name' out of the file or use the same name");
        return new CreateLabRequest(name, r.template(), r.vars(), r.groups());
    }

    /**
     * Replaces each group's {@code userDataFile: PATH} (relative to the lab file's directory) with
     * {@code userData}, the file's text, so seed 002's {@code user-data.yml} can be used as it is.
     * A missing or unreadable file, one that is not a YAML mapping, or both keys in one group are
     * refused here naming {@code groups[i].userDataFile} and the file, before anything is sent.
     */
    private static void inlineUserDataFiles(Path labFile, JsonNode tree) {
        JsonNode groups = tree.path("groups");
        if (!groups.isArray()) return; // the server names a missing or malformed 'groups'
        for (int i = 0; i < groups.size(); i++) {
            if (!(groups.get(i) instanceof ObjectNode g) || !g.has("userDataFile")) continue;
            String field = "lab file " + labFile + ": groups[" + i + "].userDataFile";
            if (g.has("userData"))
                throw new CliException(
                        ExitCodes.BAD_INPUT, field + ": give userData or userDataFile in a group, not both");
            JsonNode v = g.remove("userDataFile");
            if (!v.isTextual() || v.asText().isBlank())
                throw new CliException(ExitCodes.BAD_INPUT, field + ": must be a file name");
            Path base = labFile.toAbsolutePath().getParent();
            Path f = base.resolve(v.asText());
            String data;
            try {
                data = Files.readString(f, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new CliException(ExitCodes.BAD_INPUT, field + ": " + f + " does not exist");
            } catch (IOException e) {
                throw new CliException(ExitCodes.BAD_INPUT, field + ": cannot read " + f + ": " + e.getMessage());
            }
            JsonNode parsed;
            try {
                parsed = YAML.readTree(data);
            } catch (IOException e) {
                throw new CliException(
                        ExitCodes.BAD_INPUT,
                        field + ": " + f + " is not valid YAML: "
                                + e.getMessage().split("\n")[0]);
            }
            if (parsed == null || !parsed.isObject())
                throw new CliException(
                        ExitCodes.BAD_INPUT,
                        field + ": " + f + " is not a #cloud-config YAML mapping (e.g. 'packages: [git]')");
            g.put("userData", data);
        }
    }

    /**
     * @param groups {@code NAME=COUNT}, in order
     * @param vars {@code KEY=VALUE}
     * @throws CliException USAGE for a malformed flag
     */
    static CreateLabRequest fromFlags(String name, String template, List<String> groups, List<String> vars) {
        List<CreateLabRequest.LabGroupRequest> gs = new ArrayList<>();
        for (String g : groups) {
            Matcher m = GROUP.matcher(g.strip());
            if (!m.matches())
                throw new CliException(ExitCodes.USAGE, "--group must be NAME=COUNT (e.g. nodes=2), got '" + g + "'");
            gs.add(new CreateLabRequest.LabGroupRequest(
                    m.group(1), Integer.parseInt(m.group(2)), null, null, null, null, null, null));
        }
        return new CreateLabRequest(name, template, vars(vars), gs);
    }

    static Map<String, String> vars(List<String> vars) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String v : vars) {
            Matcher m = VAR.matcher(v);
            if (!m.matches())
                throw new CliException(
                        ExitCodes.USAGE,
                        "--var must be KEY=VALUE with KEY a variable name (e.g. k8s_version=1.31), got '" + v + "'");
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    private static String where(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining());
        if (path.startsWith(".")) path = path.substring(1);
        int cut = path.lastIndexOf('.');
        // for an unknown key the path ends in that key; show where it is
        if (e instanceof UnrecognizedPropertyException) path = cut < 0 ? "" : path.substring(0, cut);
        return path.isEmpty() ? "" : " at " + path;
    }
}
