package dev.hangar.server;

import dev.hangar.core.template.TemplateCatalog;
import io.javalin.config.RoutesConfig;

/** {@code /api/v1/templates}: list and get. Read-only; templates come from YAML files at startup. */
final class TemplateRoutes {
    private final TemplateCatalog templates;

    TemplateRoutes(TemplateCatalog templates) {
        this.templates = templates;
    }

    void register(RoutesConfig r) {
        r.get(
                "/api/v1/templates",
                ctx -> ctx.json(templates.all().stream().map(Views::template).toList()));
        r.get("/api/v1/templates/{name}", ctx -> ctx.json(Views.template(templates.get(ctx.pathParam("name")))));
    }
}
