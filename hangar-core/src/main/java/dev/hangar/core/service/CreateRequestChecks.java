package dev.hangar.core.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.template.Range;
import dev.hangar.core.template.Template;
import dev.hangar.core.template.TemplateDevice;
import dev.hangar.provider.spi.DeviceRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * The field checks of a create request ({@link WorkspaceService#create} and its dry run): each
 * throws a {@link ValidationException} naming the field and what to fix. Stateless and
 * thread-safe.
 */
final class CreateRequestChecks {
    private static final String DOCKER = "docker";
    private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,254}");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private CreateRequestChecks() {}

    /** An image name or reference: letters, digits and {@code ._:/@+-}, at most 255 characters. */
    static void image(String image) {
        if (!IMAGE.matcher(image).matches()) {
            throw new ValidationException("image", "image '" + image + "' is not a valid image name or reference");
        }
    }

    /** @return the requested size, else the template's default; positive and within the template's range */
    static int size(String field, OptionalInt requested, int fallback, Range range) {
        if (requested.isPresent() && requested.getAsInt() < 1) {
            throw new ValidationException(
                    field,
                    field + " must be positive, got " + requested.getAsInt()
                            + "; leave it out for the template's default");
        }
        int v = requested.orElse(fallback);
        if (!range.contains(v)) {
            throw new ValidationException(field, field + " " + v + " is outside the template's allowed range " + range);
        }
        return v;
    }

    /**
     * A devcontainer source is a folder on the server host (an uploaded archive is not supported):
     * absolute, existing, with {@code .devcontainer/devcontainer.json} or {@code .devcontainer.json},
     * for a template of the docker provider. Its content is checked by the provider (line and
     * column of an error go into the workspace's reason).
     */
    static void devcontainer(String folder, Template t) {
        if (folder.isEmpty()) return;
        if (!DOCKER.equals(t.provider()))
            throw new ValidationException(
                    "devcontainer",
                    "devcontainer workspaces need a template of the docker provider (e.g. container); template '"
                            + t.name() + "' uses " + t.provider());
        java.nio.file.Path dir;
        try {
            dir = java.nio.file.Path.of(folder);
        } catch (java.nio.file.InvalidPathException e) {
            throw new ValidationException("devcontainer", "devcontainer '" + folder + "' is not a path");
        }
        if (!dir.isAbsolute() || !dir.normalize().equals(dir))
            throw new ValidationException(
                    "devcontainer",
                    "devcontainer '" + folder + "' must be an absolute, normalised path of a folder on the server"
                            + " host");
        if (!java.nio.file.Files.isDirectory(dir))
            throw new ValidationException(
                    "devcontainer", "devcontainer folder " + folder + " does not exist on the server host");
        if (!java.nio.file.Files.isRegularFile(dir.resolve(".devcontainer/devcontainer.json"))
                && !java.nio.file.Files.isRegularFile(dir.resolve(".devcontainer.json")))
            throw new ValidationException(
                    "devcontainer",
                    "devcontainer folder " + folder + " has no .devcontainer/devcontainer.json or .devcontainer.json");
    }

    /**
     * The devices a new workspace gets: the template's defaults, each replaced by the request's
     * count for that device. A requested device must be offered by the template and its count be
     * within the offer's range; a count of 0 removes a device the template gives by default (when the
     * template's minimum is 0; otherwise it is below the minimum and refused, naming it).
     *
     * @return the chosen devices in the template's order, without those of count 0
     * @throws ValidationException naming {@code devices[i].name} for a device the template does not
     *     offer or asked for twice, {@code devices[i].count} for a count outside the template's range
     */
    static List<DeviceRequest> devices(List<DeviceCount> requested, Template t) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (TemplateDevice d : t.devices()) counts.put(d.name(), d.count());
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < requested.size(); i++) {
            DeviceCount r = requested.get(i);
            String field = "devices[" + i + "]";
            if (!seen.add(r.name()))
                throw new ValidationException(
                        field + ".name", field + ".name: device " + r.name() + " is asked for twice");
            TemplateDevice offer = t.device(r.name())
                    .orElseThrow(() -> new ValidationException(
                            field + ".name",
                            field + ".name: template '" + t.name() + "' does not offer device " + r.name() + "; "
                                    + (t.devices().isEmpty()
                                            ? "it offers no devices"
                                            : "it offers "
                                                    + String.join(
                                                            ", ",
                                                            t.devices().stream()
                                                                    .map(TemplateDevice::name)
                                                                    .toList()))));
            Range allowed = offer.allowed();
            if (r.count() > allowed.max())
                throw new ValidationException(
                        field + ".count",
                        field + ".count: " + r.count() + " is above the template's maximum " + allowed.max() + " for "
                                + r.name());
            if (r.count() < allowed.min())
                throw new ValidationException(
                        field + ".count",
                        field + ".count: " + r.count() + " is below the template's minimum " + allowed.min() + " for "
                                + r.name());
            counts.put(r.name(), r.count());
        }
        List<DeviceRequest> out = new ArrayList<>();
        counts.forEach((name, count) -> {
            if (count > 0) out.add(new DeviceRequest(name, count));
        });
        return List.copyOf(out);
    }

    /** Extra user-data: empty, or a YAML mapping of at most {@link WorkspaceService#MAX_USER_DATA_BYTES} bytes. */
    static void userData(String userData) {
        if (userData.isEmpty()) return;
        if (userData.getBytes(StandardCharsets.UTF_8).length > WorkspaceService.MAX_USER_DATA_BYTES) {
            throw new ValidationException(
                    "userData", "userData is larger than " + WorkspaceService.MAX_USER_DATA_BYTES + " bytes");
        }
        JsonNode node;
        try {
            node = YAML.readTree(userData);
        } catch (IOException e) {
            throw new ValidationException("userData", "userData is not valid YAML: " + firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new ValidationException(
                    "userData", "userData must be a #cloud-config YAML mapping, e.g. 'packages: [git]'");
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
