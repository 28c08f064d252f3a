package dev.hangar.core.template;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hangar.core.domain.Names;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.Resources;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The templates a server offers: the built-in ones shipped in this jar, overridden or extended by
 * {@code *.yaml} files in a directory (by default {@code $HANGAR_HOME/templates}). Immutable and
 * thread-safe once loaded.
 *
 * <p>Template names are DNS-1123 labels (they become host names and Kubernetes object names);
 * image names are the catalog's distro versions and may hold dots. A VM template is named after
 * its image with '.' written as '-': template {@code ubuntu-24-04} uses image {@code ubuntu-24.04}.
 * Names are never changed once shipped: workspaces store the name of the template they were
 * created from.
 *
 * <p>A template file is a YAML mapping; unknown fields are errors, so a typo is reported with the
 * file name and field rather than silently ignored. Example:
 *
 * <pre>
 * name: debian-12
 * description: Debian 12 VM
 * provider: qemu
 * image: debian-12
 * defaults: {cpus: 2, memoryMiB: 4096, diskGiB: 16}
 * limits: {cpus: {min: 1, max: 16}, memoryMiB: {min: 512, max: 65536}, diskGiB: {min: 4, max: 2048}}
 * cloudInit: {packages: [git], runcmd: []}
 * settings: {}
 * usb: {allow: ["0483:3748", "1366:*"]}
 * autostop: 2h            # idle auto-stop: a duration (30m, 2h, 1d) or off; off when absent
 * devices:                # devices its workspaces may ask for (docs/devices.md); none when absent
 *   - {name: nvidia.com/gpu, count: 1, min: 0, max: 2}
 * </pre>
 */
public final class TemplateCatalog {
    /** Names of the built-in template resources, loaded from this package. */
    static final List<String> BUILT_IN = List.of(
            "debian-12.yaml",
            "ubuntu-24-04.yaml",
            "pod.yaml",
            "container.yaml",
            "kubevirt-debian-12.yaml",
            "kubevirt-ubuntu-24-04.yaml",
            "kubevirt-fedora.yaml");

    /** The default template when several exist and none is configured. */
    public static final String FALLBACK_DEFAULT = "debian-12";

    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Map<String, Template> templates;

    private TemplateCatalog(Map<String, Template> templates) {
        this.templates = Map.copyOf(templates);
    }

    /** @return a catalog of the given templates (for tests and embedding) */
    public static TemplateCatalog of(Collection<Template> templates) {
        Map<String, Template> byName = new TreeMap<>();
        for (Template t : templates) byName.put(t.name(), t);
        return new TemplateCatalog(byName);
    }

    /**
     * Loads the built-in templates, then every {@code *.yaml} file of {@code dir} (when it exists),
     * a file replacing a built-in template of the same name.
     *
     * @throws ValidationException naming the file and field for a malformed template
     */
    public static TemplateCatalog load(Path dir) {
        Map<String, Template> byName = new TreeMap<>();
        for (String resource : BUILT_IN) {
            try (InputStream in = TemplateCatalog.class.getResourceAsStream(resource)) {
                if (in == null)
                    throw new IllegalStateException("built-in template " + resource + " is missing from the jar");
                Template t = parse(resource, in.readAllBytes());
                byName.put(t.name(), t);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".yaml"))
                        .sorted()
                        .toList()) {
                    Template t = parse(f.toString(), Files.readAllBytes(f));
                    byName.put(t.name(), t);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read templates from " + dir, e);
            }
        }
        return new TemplateCatalog(byName);
    }

    /**
     * Parses one template document.
     *
     * @param source file or resource name, used in error messages
     * @throws ValidationException naming {@code source} and the offending field
     */
    public static Template parse(String source, byte[] yaml) {
        if (new String(yaml, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            throw new ValidationException("", "template " + source + " is empty");
        }
        TemplateFile f;
        try {
            f = YAML.readValue(yaml, TemplateFile.class);
        } catch (JsonMappingException e) {
            String field = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .reduce((a, b) -> a + "." + b)
                    .orElse("");
            throw new ValidationException(
                    field,
                    "template " + source + ": " + e.getOriginalMessage()
                            + (field.isEmpty() ? "" : " (at " + field + ")"));
        } catch (IOException e) {
            throw new ValidationException("", "template " + source + " is not valid YAML: " + e.getMessage());
        }
        if (f == null) throw new ValidationException("", "template " + source + " is empty");
        try {
            return f.toTemplate();
        } catch (ValidationException e) {
            throw new ValidationException(e.field(), "template " + source + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ValidationException("", "template " + source + ": " + e.getMessage());
        }
    }

    /** @return the template of that name */
    public Optional<Template> find(String name) {
        return Optional.ofNullable(templates.get(name));
    }

    /**
     * @throws NotFoundException listing the known templates
     */
    public Template get(String name) {
        Template t = templates.get(name);
        if (t == null)
            throw new NotFoundException("template '" + name + "' does not exist; known templates: "
                    + String.join(", ", templates.keySet()));
        return t;
    }

    /**
     * The template a create request without one gets: {@code configured} when it is not empty,
     * else the only template when there is exactly one, else {@code debian-12} when it exists.
     * Pure; thread-safe.
     *
     * @param configured the server's {@code default-template} setting; empty for the automatic choice
     * @return the default template; empty when there is none (no template, or several without
     *     {@code debian-12} and nothing configured)
     * @throws ValidationException (field {@code default-template}) when {@code configured} names no
     *     template of this catalog
     */
    public Optional<Template> defaultTemplate(String configured) {
        if (!configured.isEmpty()) {
            return Optional.of(find(configured)
                    .orElseThrow(() -> new ValidationException(
                            "default-template",
                            "default-template '" + configured + "' is not a template; known templates: "
                                    + String.join(
                                            ", ",
                                            all().stream().map(Template::name).toList()))));
        }
        if (templates.size() == 1)
            return Optional.of(templates.values().iterator().next());
        return find(FALLBACK_DEFAULT);
    }

    /** @return all templates ordered by name */
    public List<Template> all() {
        return new ArrayList<>(new TreeMap<>(templates).values());
    }

    // ---- the YAML shape; nullable fields are local to parsing ----

    record RangeFile(
            @JsonProperty(required = true) int min,
            @JsonProperty(required = true) int max) {}

    record Limits(RangeFile cpus, RangeFile memoryMiB, RangeFile diskGiB) {}

    record Sizes(Integer cpus, Integer memoryMiB, Integer diskGiB) {}

    record CloudInitFile(List<String> packages, List<String> runcmd, String userData) {}

    record UsbFile(List<String> allow) {}

    record DeviceFile(
            @JsonProperty(required = true) String name,
            Integer count,
            Integer min,
            @JsonProperty(required = true) int max) {}

    record TemplateFile(
            @JsonProperty(required = true) String name,
            String description,
            @JsonProperty(required = true) String provider,
            @JsonProperty(required = true) String image,
            Sizes defaults,
            Limits limits,
            CloudInitFile cloudInit,
            Map<String, String> settings,
            UsbFile usb,
            String autostop,
            List<DeviceFile> devices) {

        Template toTemplate() {
            Names.requireDns1123Label("name", name);
            if (provider == null || !provider.matches("[a-z][a-z0-9-]*")) {
                throw new ValidationException(
                        "provider", "provider must be a lower-case provider type such as qemu or kubernetes");
            }
            if (image == null || image.isBlank()) throw new ValidationException("image", "image is required");
            Resources d = Resources.DEFAULTS;
            Sizes s = defaults == null ? new Sizes(null, null, null) : defaults;
            Resources res = new Resources(
                    s.cpus() == null ? d.cpus() : s.cpus(),
                    s.memoryMiB() == null ? d.memoryMiB() : s.memoryMiB(),
                    s.diskGiB() == null ? d.diskGiB() : s.diskGiB());
            Limits l = limits == null ? new Limits(null, null, null) : limits;
            Range cpuRange = range(l.cpus(), new Range(1, 64));
            Range memRange = range(l.memoryMiB(), new Range(256, 262_144));
            Range diskRange = range(l.diskGiB(), new Range(1, 4096));
            check("defaults.cpus", res.cpus(), cpuRange);
            check("defaults.memoryMiB", res.memoryMiB(), memRange);
            check("defaults.diskGiB", res.diskGiB(), diskRange);
            CloudInitFile ci = cloudInit == null ? new CloudInitFile(List.of(), List.of(), "") : cloudInit;
            CloudInitConfig cic = new CloudInitConfig(
                    ci.packages() == null ? List.of() : ci.packages(),
                    ci.runcmd() == null ? List.of() : ci.runcmd(),
                    ci.userData());
            return new Template(
                    name,
                    description == null ? "" : description,
                    provider,
                    image,
                    res,
                    cpuRange,
                    memRange,
                    diskRange,
                    cic,
                    settings == null ? Map.of() : settings,
                    dev.hangar.core.usb.UsbPolicy.canonical(
                            "usb.allow", usb == null || usb.allow() == null ? List.of() : usb.allow()),
                    autostop == null
                            ? dev.hangar.core.autostop.Autostop.OFF
                            : dev.hangar.core.autostop.Autostop.parse("autostop", autostop),
                    devices(devices == null ? List.of() : devices));
        }

        private static List<TemplateDevice> devices(List<DeviceFile> files) {
            List<TemplateDevice> out = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                DeviceFile f = files.get(i);
                String field = "devices[" + i + "]";
                int min = f.min() == null ? 0 : f.min();
                int count = f.count() == null ? min : f.count();
                try {
                    if (min > f.max()) throw new IllegalArgumentException("min " + min + " is above max " + f.max());
                    TemplateDevice d = new TemplateDevice(f.name(), count, new Range(min, f.max()));
                    if (out.stream().anyMatch(o -> o.name().equals(d.name())))
                        throw new IllegalArgumentException("device " + d.name() + " is listed twice");
                    out.add(d);
                } catch (IllegalArgumentException e) {
                    throw new ValidationException(field, field + ": " + e.getMessage());
                }
            }
            return out;
        }

        private static Range range(RangeFile r, Range fallback) {
            return r == null ? fallback : new Range(r.min(), r.max());
        }

        private static void check(String field, int v, Range r) {
            if (!r.contains(v))
                throw new ValidationException(field, field + " " + v + " is outside the template's limits " + r);
        }
    }
}
