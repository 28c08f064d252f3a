package dev.hangar.provider.spi;

import java.util.List;

/**
 * What a template and the user add to a workspace's cloud-init user-data, beyond the default user,
 * its SSH keys, the hostname and the host keys that every provider renders.
 *
 * @param packages Debian/RPM package names to install on first boot ({@code packages:} in
 *     #cloud-config)
 * @param runcmd shell commands to run once on first boot ({@code runcmd:} in #cloud-config)
 * @param extraUserData the template's #cloud-config YAML mapping, merged over the rendered
 *     user-data; empty for none
 * @param workspaceUserData the workspace's own #cloud-config YAML mapping (given at create time),
 *     merged after {@code extraUserData}, so the user adds to the template and wins where both set
 *     a key; empty for none
 */
public record CloudInitConfig(
        List<String> packages, List<String> runcmd, String extraUserData, String workspaceUserData) {
    /** No packages, no commands, no extra user-data. */
    public static final CloudInitConfig EMPTY = new CloudInitConfig(List.of(), List.of(), "", "");

    public CloudInitConfig {
        packages = List.copyOf(packages);
        runcmd = List.copyOf(runcmd);
        extraUserData = extraUserData == null ? "" : extraUserData;
        workspaceUserData = workspaceUserData == null ? "" : workspaceUserData;
    }

    /** A template's additions: no workspace user-data. */
    public CloudInitConfig(List<String> packages, List<String> runcmd, String extraUserData) {
        this(packages, runcmd, extraUserData, "");
    }

    /** @return these additions with the workspace's own user-data to merge last */
    public CloudInitConfig withWorkspaceUserData(String userData) {
        return new CloudInitConfig(packages, runcmd, extraUserData, userData);
    }
}
