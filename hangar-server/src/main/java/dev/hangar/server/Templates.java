package dev.hangar.server;

import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.template.Template;
import dev.hangar.core.template.TemplateCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Loads the server's templates: built-in ones (unless disabled) plus {@code *.yaml} in the template directory. */
final class Templates {
    private Templates() {}

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
