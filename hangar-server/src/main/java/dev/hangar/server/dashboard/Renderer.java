package dev.hangar.server.dashboard;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.Utf8ByteOutput;
import io.javalin.http.Context;

/**
 * Renders the dashboard's jte templates, precompiled at build time by jte-maven-plugin into
 * {@code dev.hangar.server.dashboard.jte} (no Java compiler at run time). Content type HTML: jte
 * escapes every {@code ${...}} for its context (element text, attribute value); the templates
 * never use {@code $unsafe}. Thread-safe.
 */
final class Renderer {
    private static final TemplateEngine ENGINE = TemplateEngine.createPrecompiled(
            null, ContentType.Html, Renderer.class.getClassLoader(), "dev.hangar.server.dashboard.jte");

    private Renderer() {}

    /** Renders {@code template} (e.g. {@code workspaces.jte}) with its one parameter {@code page}. */
    static byte[] render(String template, String param, Object value) {
        Utf8ByteOutput out = new Utf8ByteOutput();
        ENGINE.render(template, java.util.Map.of(param, value), out);
        return out.toByteArray();
    }

    /** Renders {@code template} with several parameters. */
    static byte[] render(String template, java.util.Map<String, Object> params) {
        Utf8ByteOutput out = new Utf8ByteOutput();
        ENGINE.render(template, params, out);
        return out.toByteArray();
    }

    /** Answers {@code status} with the rendered page as {@code text/html; charset=utf-8}. */
    static void html(Context ctx, int status, String template, String param, Object value) {
        ctx.status(status).contentType("text/html; charset=utf-8").result(render(template, param, value));
    }
}
