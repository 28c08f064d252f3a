package dev.hangar.provider.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hangar.provider.spi.ProviderException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The OS images {@code spec.image()} may name, read from YAML (see the shipped {@code
 * image-catalog.yaml} for the format): the one catalog of the VM providers (qemu and kubevirt).
 * Immutable and thread-safe.
 */
public final class ImageCatalog {
    private static final String SHIPPED = "image-catalog.yaml";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Set<String> FIELDS = Set.of(
            "name", "description", "url", "format", "sha256", "sha512", "checksum-url", "checksum-type", "registry");
    private static final Pattern REGISTRY = Pattern.compile("docker://[a-z0-9][a-z0-9.:/_@-]*[a-z0-9]");

    private final Map<String, CatalogImage> images;

    private ImageCatalog(Map<String, CatalogImage> images) {
        this.images = images;
    }

    /** @return the catalog shipped in this module */
    public static ImageCatalog shipped() {
        try (InputStream in = ImageCatalog.class.getResourceAsStream(SHIPPED)) {
            if (in == null) throw new IllegalStateException(SHIPPED + " is missing from the module");
            return parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), SHIPPED);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @throws ProviderException (permanent) if the file cannot be read or is invalid
     */
    public static ImageCatalog load(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new ProviderException("cannot read image catalog " + file + ": " + e.getMessage(), true, e);
        }
    }

    /**
     * Parses catalog YAML.
     *
     * @param source where the text came from, for error messages
     * @throws ProviderException (permanent) naming the entry and field that is wrong
     */
    public static ImageCatalog parse(String yaml, String source) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (IOException e) {
            throw new ProviderException("image catalog " + source + " is not valid YAML: " + e.getMessage(), true, e);
        }
        if (root == null || !root.path("images").isArray()) {
            throw new ProviderException("image catalog " + source + " needs a top-level list 'images'", true);
        }
        Map<String, CatalogImage> images = new LinkedHashMap<>();
        int index = 0;
        for (JsonNode node : root.get("images")) {
            String where = "image catalog " + source + ", images[" + index++ + "]";
            CatalogImage image = entry(node, where);
            if (images.putIfAbsent(image.name(), image) != null) {
                throw new ProviderException(where + ": duplicate name '" + image.name() + "'", true);
            }
        }
        return new ImageCatalog(Map.copyOf(images));
    }

    /** @return the entry named {@code name}, if any */
    public Optional<CatalogImage> find(String name) {
        return Optional.ofNullable(images.get(name));
    }

    /** @return every entry, sorted by name */
    public List<CatalogImage> images() {
        return images.values().stream()
                .sorted(java.util.Comparator.comparing(CatalogImage::name))
                .toList();
    }

    private static CatalogImage entry(JsonNode node, String where) {
        if (!node.isObject()) throw new ProviderException(where + " must be a mapping", true);
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) unknown.add(field);
        }
        if (!unknown.isEmpty()) {
            throw new ProviderException(where + ": unknown field(s) " + unknown + "; known: " + FIELDS, true);
        }
        String name = text(node, "name", where);
        if (!NAME.matcher(name).matches()) {
            throw new ProviderException(
                    where + ": name '" + name + "' must be lower-case letters, digits, '.', '_' or '-'", true);
        }
        where = where + " (" + name + ")";
        URI url = uri(text(node, "url", where), where + ": url");
        String format = node.path("format").asText("qcow2");
        if (!format.equals("qcow2") && !format.equals("raw")) {
            throw new ProviderException(where + ": format must be qcow2 or raw, got '" + format + "'", true);
        }
        String registry = node.path("registry").asText("").strip();
        if (!registry.isEmpty() && !REGISTRY.matcher(registry).matches()) {
            throw new ProviderException(
                    where + ": registry must be a container image reference starting with docker://, got '" + registry
                            + "'",
                    true);
        }
        return new CatalogImage(
                name, node.path("description").asText(name), url, format, checksumSource(node, where), registry);
    }

    private static CatalogImage.ChecksumSource checksumSource(JsonNode node, String where) {
        int given = (node.has("sha256") ? 1 : 0) + (node.has("sha512") ? 1 : 0) + (node.has("checksum-url") ? 1 : 0);
        if (given != 1) {
            throw new ProviderException(where + ": give exactly one of sha256, sha512 or checksum-url", true);
        }
        try {
            if (node.has("sha256"))
                return new CatalogImage.ChecksumSource.Inline(new Checksum("sha256", text(node, "sha256", where)));
            if (node.has("sha512"))
                return new CatalogImage.ChecksumSource.Inline(new Checksum("sha512", text(node, "sha512", where)));
        } catch (IllegalArgumentException e) {
            throw new ProviderException(where + ": " + e.getMessage(), true);
        }
        String type = node.path("checksum-type").asText("sha256");
        if (!type.equals("sha256") && !type.equals("sha512")) {
            throw new ProviderException(where + ": checksum-type must be sha256 or sha512, got '" + type + "'", true);
        }
        return new CatalogImage.ChecksumSource.Published(
                uri(text(node, "checksum-url", where), where + ": checksum-url"), type);
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isValueNode() || value.asText().isBlank()) {
            throw new ProviderException(where + ": field '" + field + "' is required", true);
        }
        return value.asText().strip();
    }

    private static URI uri(String text, String where) {
        try {
            URI uri = new URI(text);
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                throw new ProviderException(where + " must be an http(s) URL, got '" + text + "'", true);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ProviderException(where + " is not a URL: " + e.getMessage(), true);
        }
    }
}
