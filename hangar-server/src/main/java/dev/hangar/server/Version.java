package dev.hangar.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The server's version, from {@code version.properties} filtered by Maven at build time. */
public final class Version {
    private static final String VERSION = load();

    private Version() {}

    /** @return e.g. {@code 0.1.0-SNAPSHOT}; {@code unknown} when the resource is missing */
    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
