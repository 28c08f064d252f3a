package dev.hangar.server.dashboard;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * The dashboard's static files, all from the jar: its own CSS and JavaScript, xterm.js (vendored
 * from npm at build time), Swagger UI's page and
 * initializer, and Swagger UI from its WebJar (version read from the WebJar's own pom.properties,
 * so the pom is the one place it is named). Only the listed files are served; anything else is 404.
 */
final class Assets {
    private static final String OWN = "/dev/hangar/server/dashboard/static/";
    private static final Map<String, String> OWN_FILES = Map.of(
            "dashboard.css", "text/css; charset=utf-8",
            "dashboard.js", "text/javascript; charset=utf-8",
            "images.js", "text/javascript; charset=utf-8",
            "docs-init.js", "text/javascript; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");
    /** xterm.js and its fit addon, copied from the npm packages into the jar at build time (hangar-server's pom). */
    private static final String VENDOR = "/dev/hangar/server/dashboard/vendor/";

    private static final Map<String, String> XTERM_FILES = Map.of(
            "xterm.js", "text/javascript; charset=utf-8",
            "xterm.css", "text/css; charset=utf-8",
            "addon-fit.js", "text/javascript; charset=utf-8",
            "LICENSE", "text/plain; charset=utf-8");
    private static final Map<String, String> XTERM_PATHS = Map.of(
            "xterm.js", "lib/xterm.js",
            "xterm.css", "css/xterm.css",
            "addon-fit.js", "lib/addon-fit.js",
            "LICENSE", "LICENSE");
    private static final Map<String, String> SWAGGER_FILES = Map.of(
            "swagger-ui.css", "text/css; charset=utf-8",
            "swagger-ui-bundle.js", "text/javascript; charset=utf-8",
            "swagger-ui-standalone-preset.js", "text/javascript; charset=utf-8",
            "favicon-32x32.png", "image/png",
            "favicon-16x16.png", "image/png");
    private static final String SWAGGER_BASE = "/META-INF/resources/webjars/swagger-ui/" + swaggerVersion() + "/";

    private Assets() {}

    static void dashboard(Context ctx) {
        serve(ctx, OWN, OWN_FILES, ctx.pathParam("file"));
    }

    /** {@code /ui/static/xterm/{file}}: xterm.js, its CSS and license, and the fit addon. */
    static void xterm(Context ctx) {
        String file = ctx.pathParam("file");
        serve(ctx, VENDOR, XTERM_FILES, XTERM_PATHS.getOrDefault(file, file), file);
    }

    static void swaggerUi(Context ctx) {
        serve(ctx, SWAGGER_BASE, SWAGGER_FILES, ctx.pathParam("file"));
    }

    /** Swagger UI's page: the WebJar's index.html without its inline script. */
    static void docsPage(Context ctx) {
        WebSecurity.headers(ctx);
        ctx.contentType("text/html; charset=utf-8").result(read(OWN + "docs.html"));
    }

    private static void serve(Context ctx, String base, Map<String, String> files, String file) {
        serve(ctx, base, files, file, file);
    }

    /** Serves {@code base + path} when {@code name} is one of {@code files}; else 404. */
    private static void serve(Context ctx, String base, Map<String, String> files, String path, String name) {
        WebSecurity.headers(ctx);
        String type = files.get(name);
        if (type == null) {
            ctx.status(404).contentType("text/plain; charset=utf-8").result("no such file\n");
            return;
        }
        ctx.header("Cache-Control", "public, max-age=3600");
        ctx.contentType(type).result(read(base + path));
    }

    private static byte[] read(String resource) {
        try (InputStream in = Assets.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing from the jar: " + resource);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String swaggerVersion() {
        try (InputStream in =
                Assets.class.getResourceAsStream("/META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            if (in == null) throw new IllegalStateException("the swagger-ui WebJar is not on the class path");
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
