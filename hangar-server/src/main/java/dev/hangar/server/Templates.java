package dev.hangar.server;

import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.template.Template;
import dev.hangar.core.template.TemplateCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads the server's templates: built-in ones (unless disabled) plus {@code *.yaml} in the template directory. */
final class Templates {
    private static final Logger LOG = LoggerFactory.getLogger(Templates.class);

    private Templates() {}

    /**
     * Drops the templates of providers the config switched off ({@code providers.<type>.enabled:
     * false}), so disabling e.g. Kubernetes does not make the built-in {@code pod} template a
     * startup error. Templates naming unknown types stay, and fail startup naming them.
     */
    static TemplateCatalog withoutProviders(TemplateCatalog catalog, Set<String> disabled) {
        if (disabled.isEmpty()) return catalog;
        List<Template> kept = new ArrayList<>();
        for (Template t : catalog.all()) {
            if (disabled.contains(t.provider())) {
                LOG.info("template '{}' is hidden: its provider '{}' is disabled", t.name(), t.provider());
            } else {
                kept.add(t);
            }
        }
        return TemplateCatalog.of(kept);
    }

    /**
     * @throws ConfigException naming the file and field of a malformed template
     */
    static TemplateCatalog load(ServerConfig config) {
        try {
            if (config.builtinTemplates()) return TemplateCatalog.load(config.templateDir());
            List<Template> out = new ArrayList<>();
            Path dir = config.templateDir();
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".yaml"))
                            .sorted()
                            .toList()) {
                        out.add(TemplateCatalog.parse(f.toString(), Files.readAllBytes(f)));
                    }
                }
            }
            return TemplateCatalog.of(out);
        } catch (ValidationException e) {
            throw new ConfigException(e.getMessage(), e);
        } catch (IOException e) {
            throw new ConfigException("cannot read templates from " + config.templateDir() + ": " + e.getMessage(), e);
        }
    }
}
