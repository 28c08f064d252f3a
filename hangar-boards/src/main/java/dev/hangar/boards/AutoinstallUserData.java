package dev.hangar.boards;

import dev.hangar.nocloud.NoCloudFiles;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders Ubuntu autoinstall user-data: a {@code #cloud-config} document whose only key is {@code
 * autoinstall:} (Subiquity reads it from the NoCloud seed; the live installer's cloud-init ignores
 * it), with an empty meta-data beside it, as seed 000 uses them. Pure and thread-safe.
 *
 * <p>The {@code autoinstall} section holds, in this order: {@code version: 1}; {@code identity}
 * (hostname, username, password hash); {@code ssh} ({@code install-server: true}, {@code
 * authorized-keys}, {@code allow-pw: false}); {@code storage} ({@code layout: name: lvm|direct});
 * {@code packages} and {@code late-commands} when given. See Ubuntu's "Autoinstall configuration
 * reference".
 */
public final class AutoinstallUserData {
    /** The autoinstall sections this renderer writes, in order. */
    public static final List<String> SECTIONS =
            List.of("version", "identity", "ssh", "storage", "packages", "late-commands");

    private AutoinstallUserData() {}

    /** @return user-data with the {@code autoinstall:} section, and an empty meta-data */
    public static NoCloudFiles render(Autoinstall install) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("version", 1);
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("hostname", install.hostname());
        identity.put("username", install.username());
        identity.put("password", install.passwordHash());
        a.put("identity", identity);
        Map<String, Object> ssh = new LinkedHashMap<>();
        ssh.put("install-server", true);
        ssh.put("authorized-keys", install.authorizedKeys());
        ssh.put("allow-pw", false);
        a.put("ssh", ssh);
        a.put("storage", Map.of("layout", Map.of("name", install.storage().subiquityName())));
        if (!install.packages().isEmpty()) a.put("packages", install.packages());
        if (!install.lateCommands().isEmpty()) a.put("late-commands", install.lateCommands());
        return new NoCloudFiles("#cloud-config\n" + Yaml.write(Map.of("autoinstall", a)), "");
    }
}
