package dev.hangar.provider.vm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.SshHostKey;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Renders a workspace's cloud-init user-data ({@code #cloud-config}, cloud-init's "cloud config"
 * format) and meta-data (NoCloud datasource) from its spec. Pure: no I/O, same input gives the same
 * text. Thread-safe.
 *
 * <p>The user-data holds, in this order: the hostname; one user ({@code spec.sshUser()}) with
 * passwordless sudo, a locked password and {@code spec.authorizedKeys()}; an sshd drop-in turning
 * password and keyboard-interactive logins off; the Hangar-generated host
 * key under {@code ssh_keys} with {@code ssh_deletekeys: true} and no other generated host key types,
 * so the pinned key is the only one sshd offers; {@code packages} and {@code runcmd} from the
 * template; then the template's {@code extraUserData} and after it the workspace's {@code
 * workspaceUserData} merged over the result (mappings merged key by key, recursively; any other
 * value, lists included, replaced).
 *
 * <p>A lab member ({@link WorkspaceSpec#labNetwork()} not NONE) also gets its whole {@code
 * /etc/hosts} ({@link EtcHosts}) through {@code write_files}, with {@code manage_etc_hosts: false}
 * so that cloud-init does not render its template over it, and a first {@code bootcmd} that puts
 * the members' block back at every boot ({@link EtcHosts#REFRESH_SCRIPT}). Hangar's files (the sshd drop-in and a
 * lab member's hosts file) stay in {@code write_files} when the template's or workspace's own list
 * replaces Hangar's, unless that list writes the same path itself (a deliberate choice).
 */
public final class CloudInitUserData {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE));

    /** The sshd drop-in that turns password logins off (sshd_config includes sshd_config.d first). */
    static final String SSHD_DROP_IN = "/etc/ssh/sshd_config.d/10-hangar.conf";

    // Ordered (not Map.of, whose iteration order changes from one JVM run to the next): the same spec
    // must render the same text, byte for byte, in every run (the kubevirt provider's Secret is
    // compared with the live one on every apply).
    private static final Map<String, Object> SSHD_DROP_IN_FILE = sshdDropInFile();

    private static Map<String, Object> sshdDropInFile() {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("path", SSHD_DROP_IN);
        file.put("permissions", "0644");
        file.put(
                "content",
                "# written by Hangar: keys only\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n");
        return Collections.unmodifiableMap(file);
    }

    private CloudInitUserData() {}

    /**
     * A template's or workspace's own {@code write_files} list replaces Hangar's (lists are not
     * merged); Hangar's files are put back in front unless that list writes the same path itself,
     * which is then a deliberate choice.
     */
    private static void keepHangarFiles(Map<String, Object> doc, List<Map<String, Object>> hangarFiles) {
        List<?> files = doc.get("write_files") instanceof List<?> l ? l : List.of();
        Set<String> written = new HashSet<>();
        for (Object f : files) {
            if (f instanceof Map<?, ?> m) written.add(String.valueOf(m.get("path")));
        }
        List<Object> merged = new ArrayList<>();
        for (Map<String, Object> f : hangarFiles) {
            if (!written.contains(String.valueOf(f.get("path")))) merged.add(f);
        }
        merged.addAll(files);
        doc.put("write_files", merged);
    }

    private static List<Map<String, Object>> hangarFiles(WorkspaceSpec spec) {
        if (spec.labNetwork().isNone()) return List.of(SSHD_DROP_IN_FILE);
        Map<String, Object> hosts = new LinkedHashMap<>();
        hosts.put("path", EtcHosts.PATH);
        hosts.put("permissions", "0644");
        hosts.put("content", EtcHosts.render(spec));
        return List.of(SSHD_DROP_IN_FILE, Collections.unmodifiableMap(hosts));
    }

    /**
     * @return the user-data document, starting with the line {@code #cloud-config}
     * @throws ProviderException (permanent) if either user-data addition is not a YAML mapping or the
     *     host key type is not one cloud-init can install
     */
    public static String render(WorkspaceSpec spec) {
        return render(spec, false);
    }

    /**
     * The guest side of user secrets delivered through QEMU's fw_cfg (issue #15, item 7): mounts a
     * tmpfs (0700, 4 MiB) at /var/secrets unless one is there, empties it, copies each fw_cfg entry
     * {@code opt/dev.hangar/s<i>} to {@code /var/secrets/<name>} (names from {@code
     * opt/dev.hangar/names}) as 0400 files, and gives them to {@code $1} (the workspace user) when
     * that user exists. Nothing is written before the tmpfs is mounted, so nothing reaches the disk.
     * Run as {@code bootcmd} (every boot, early; on the first boot before the user exists) and as the
     * first {@code runcmd} (first boot only, after cloud-init created the user).
     */
    public static final String SECRETS_SCRIPT = "d=/var/secrets; b=/sys/firmware/qemu_fw_cfg/by_name/opt/dev.hangar;"
            + " modprobe qemu_fw_cfg 2>/dev/null; mkdir -p \"$d\" || exit 1;"
            + " mountpoint -q \"$d\" || mount -t tmpfs -o mode=0700,size=4m,nosuid,nodev,noexec hangar-secrets \"$d\""
            + " || exit 1; find \"$d\" -mindepth 1 -delete; i=0;"
            + " if [ -r \"$b/names/raw\" ]; then while read -r n; do"
            + " cat \"$b/s$i/raw\" > \"$d/$n\" && chmod 0400 \"$d/$n\"; i=$((i+1)); done < \"$b/names/raw\"; fi;"
            + " if id \"$1\" >/dev/null 2>&1; then chown -R \"$1:\" \"$d\"; fi; chmod 0700 \"$d\"";

    /**
     * The guest side of correcting the wall clock after a resume from a suspended state, without a
     * guest agent: the guest's clocks stand still while its QEMU is suspended, but QEMU's emulated
     * RTC (the default {@code -rtc clock=host}) reads the host's time again once the state is loaded.
     * This bash loop (no process started per round: builtins only) reads the RTC's seconds from
     * {@code /sys/class/rtc/rtc0/since_epoch} twice a second and, when the system clock is more than
     * one second away from it, sets it to the RTC's second plus half a second (the RTC has whole
     * seconds: the error stays within half a second). Does nothing on a guest without an RTC in
     * sysfs. Run at every boot by the systemd unit {@code hangar-rtc-clock} ({@link
     * #RTC_CLOCK_UNIT}).
     */
    public static final String RTC_CLOCK_SCRIPT = "f=/sys/class/rtc/rtc0/since_epoch; [ -r \"$f\" ] || exit 0;"
            + " p=/run/hangar-rtc-clock.$$; mkfifo -m 600 \"$p\" && exec 3<>\"$p\" && rm -f \"$p\" || exit 0;"
            + " while :; do read -r -t 0.5 -u 3 _; read -r r < \"$f\" || exit 0; printf -v n '%(%s)T' -1;"
            + " if (( r - n > 1 || n - r > 1 )); then date -u -s \"@$r.5\" > /dev/null; fi; done";

    /** Where the seed writes {@link #RTC_CLOCK_SCRIPT} (a {@code #!/bin/bash} file, 0755). */
    static final String RTC_CLOCK_SCRIPT_PATH = "/usr/local/lib/hangar/rtc-clock";

    /** Where the seed writes {@link #RTC_CLOCK_UNIT}. */
    public static final String RTC_CLOCK_UNIT_PATH = "/etc/systemd/system/hangar-rtc-clock.service";

    /**
     * The systemd unit that runs {@link #RTC_CLOCK_SCRIPT} from early boot on, every boot, without
     * cloud-init: {@code DefaultDependencies=no} and wanted by {@code sysinit.target}, so it starts
     * beside the rest of early boot and nothing waits for it (the loop never ends). Written once by
     * {@code write_files} and enabled and started once by the first {@code runcmd} ({@link
     * #RTC_CLOCK_RUNCMD}, the first boot's final stage, after sshd is up); until this round it was a
     * transient unit that a {@code bootcmd} started at every boot, which cost 0.17-0.36 s of
     * cloud-init's init stage, before sshd, under TCG (bench/qemu/README.md).
     */
    static final String RTC_CLOCK_UNIT = "# written by Hangar: the guest's clock follows the RTC after a resume\n"
            + "[Unit]\nDescription=Set the clock from the RTC after a resume from a saved state (Hangar)\n"
            + "DefaultDependencies=no\nConditionPathExists=/sys/class/rtc/rtc0/since_epoch\n\n"
            + "[Service]\nExecStart=" + RTC_CLOCK_SCRIPT_PATH + "\n\n"
            + "[Install]\nWantedBy=sysinit.target\n";

    /**
     * The first {@code runcmd} entry when the seed carries the RTC clock unit: enables it for later
     * boots and starts it now without waiting ({@code runcmd} runs once per instance, in the first
     * boot's final stage).
     */
    public static final List<String> RTC_CLOCK_RUNCMD =
            List.of("systemctl", "enable", "--now", "--no-block", "hangar-rtc-clock.service");

    /**
     * The {@code bootcmd} entry that seeds of {@link Resume#LEGACY_BOOTCMD} keep: it starts {@link
     * #RTC_CLOCK_SCRIPT} as the transient systemd unit {@code hangar-rtc-clock} at every boot (bootcmd
     * runs on every boot), as every seed did before the unit was written once ({@link
     * #RTC_CLOCK_UNIT}); a guest without {@code systemd-run} or bash is left as it is. {@code
     * --no-block} and {@code DefaultDependencies=no}: bootcmd runs in {@code cloud-init.service},
     * which is ordered before {@code sysinit.target}, and a unit with the default dependencies
     * starts only after that target: waiting for it would hang the boot. Costs 0.17-0.36 s before
     * sshd per boot under TCG, which is why new disks get the unit instead.
     */
    public static final List<String> RTC_CLOCK_BOOTCMD = List.of(
            "sh",
            "-c",
            "systemd-run --no-block --unit=hangar-rtc-clock -p DefaultDependencies=no --quiet --collect"
                    + " bash -c \"$1\" >/dev/null 2>&1 || true",
            "hangar-rtc-clock",
            RTC_CLOCK_SCRIPT);

    /** What a seed adds for a VM that resumes from a saved state (local QEMU). */
    public enum Resume {
        /** Nothing: the VM never resumes from a saved state. */
        NONE,
        /**
         * The RTC clock unit ({@link #RTC_CLOCK_UNIT}) and the user manager's linger ({@link
         * #lingerRuncmd}), installed once, at the cloud-init instance's first boot.
         */
        UNIT,
        /**
         * For a disk whose first boot predates the unit (a workspace created by an earlier Hangar):
         * cloud-init runs {@code write_files} and {@code runcmd} once per instance, so such a guest
         * would never get the unit; its seed keeps {@link #RTC_CLOCK_BOOTCMD}, first in {@code
         * bootcmd}, exactly as its earlier seeds had it, and no linger (only its logins stay slower).
         */
        LEGACY_BOOTCMD
    }

    /**
     * The {@code runcmd} entry (first boot only, after the user exists) that makes the workspace
     * user's systemd manager ({@code user@UID.service}) linger: it then starts at boot and keeps
     * running without a session, so a login's {@code pam_systemd} only registers the session instead
     * of waiting for the manager to start. systemd stops a user's idle manager 10 s after the last
     * logout, so without this the first login after a resume (or after any pause) started it again:
     * under TCG the session set-up (SSH channel open to its confirmation) took 2.07-2.41 s instead of
     * 0.69-0.72 s (bench/qemu/README.md, 2026-12-05). No privilege changes: the manager runs as the
     * user, as it does during every session.
     *
     * @param user the workspace user
     */
    static List<String> lingerRuncmd(String user) {
        return List.of("loginctl", "enable-linger", user);
    }

    private static List<Map<String, Object>> rtcClockFiles() {
        Map<String, Object> script = new LinkedHashMap<>();
        script.put("path", RTC_CLOCK_SCRIPT_PATH);
        script.put("permissions", "0755");
        script.put(
                "content",
                "#!/bin/bash\n# written by Hangar: see " + RTC_CLOCK_UNIT_PATH + "\n" + RTC_CLOCK_SCRIPT + "\n");
        Map<String, Object> unit = new LinkedHashMap<>();
        unit.put("path", RTC_CLOCK_UNIT_PATH);
        unit.put("permissions", "0644");
        unit.put("content", RTC_CLOCK_UNIT);
        return List.of(Collections.unmodifiableMap(script), Collections.unmodifiableMap(unit));
    }

    /**
     * @param fwCfgSecrets whether to add the boot commands that copy secrets delivered through
     *     QEMU's fw_cfg onto a tmpfs at /var/secrets ({@link #SECRETS_SCRIPT}); they stay first in
     *     {@code bootcmd} and {@code runcmd} even when a template or workspace sets its own lists
     * @return the user-data document, starting with the line {@code #cloud-config}
     * @throws ProviderException as {@link #render(WorkspaceSpec)}
     */
    public static String render(WorkspaceSpec spec, boolean fwCfgSecrets) {
        return render(spec, fwCfgSecrets, false);
    }

    /**
     * @param fwCfgSecrets as {@link #render(WorkspaceSpec, boolean)}
     * @param resumable for VMs that resume from a saved state (local QEMU): adds the user manager's
     *     linger ({@link #lingerRuncmd}) and the RTC clock unit ({@link #RTC_CLOCK_UNIT}: two files in {@code
     *     write_files}, kept like Hangar's other files, and {@link #RTC_CLOCK_RUNCMD} first in {@code
     *     runcmd})
     * @return the user-data document, starting with the line {@code #cloud-config}
     * @throws ProviderException as {@link #render(WorkspaceSpec)}
     */
    public static String render(WorkspaceSpec spec, boolean fwCfgSecrets, boolean resumable) {
        return render(spec, fwCfgSecrets, resumable ? Resume.UNIT : Resume.NONE);
    }

    /**
     * @param fwCfgSecrets as {@link #render(WorkspaceSpec, boolean)}
     * @param resume what the seed adds for a VM that resumes from a saved state ({@link Resume})
     * @return the user-data document, starting with the line {@code #cloud-config}
     * @throws ProviderException as {@link #render(WorkspaceSpec)}
     */
    public static String render(WorkspaceSpec spec, boolean fwCfgSecrets, Resume resume) {
        boolean unit = resume == Resume.UNIT;
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("hostname", spec.name());
        // A lab member's /etc/hosts is Hangar's whole file (EtcHosts); cloud-init's template would
        // replace it on every boot.
        doc.put("manage_etc_hosts", spec.labNetwork().isNone());
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("name", spec.sshUser());
        user.put("shell", "/bin/bash");
        user.put("sudo", "ALL=(ALL) NOPASSWD:ALL");
        user.put("lock_passwd", true);
        user.put("ssh_authorized_keys", spec.authorizedKeys());
        doc.put("users", List.of(user));
        doc.put("disable_root", true);
        // Password logins off through an sshd drop-in written before sshd first starts (write_files
        // runs in cloud-init's init stage, which systemd orders before ssh.service), not through
        // ssh_pwauth: cloud-init applies that in its later config stage and restarts a running sshd,
        // which resets connections just after readiness saw the pinned host key.
        List<Map<String, Object>> hangarFiles = new ArrayList<>(hangarFiles(spec));
        if (unit) hangarFiles.addAll(rtcClockFiles());
        doc.put("write_files", hangarFiles);
        doc.put("ssh_deletekeys", true);
        // cloud-init would otherwise generate RSA/ECDSA keys too (slow under TCG, and not pinned).
        doc.put("ssh_genkeytypes", List.of());
        doc.put("ssh_keys", hostKeys(spec.hostKey(), spec.hostCertificate()));
        if (!spec.cloudInit().packages().isEmpty())
            doc.put("packages", spec.cloudInit().packages());
        if (!spec.cloudInit().runcmd().isEmpty())
            doc.put("runcmd", spec.cloudInit().runcmd());
        mergeInto(doc, extra("the template's user-data", spec.cloudInit().extraUserData()));
        mergeInto(doc, extra("the workspace's user-data", spec.cloudInit().workspaceUserData()));
        keepHangarFiles(doc, hangarFiles);
        if (!spec.labNetwork().isNone())
            prepend(
                    doc,
                    "bootcmd",
                    List.of(
                            "sh",
                            "-c",
                            EtcHosts.REFRESH_SCRIPT,
                            "hangar-lab-hosts",
                            EtcHosts.block(spec),
                            EtcHosts.PATH));
        // before the secrets' commands, which stay first
        if (unit) {
            prepend(doc, "runcmd", lingerRuncmd(spec.sshUser()));
            prepend(doc, "runcmd", RTC_CLOCK_RUNCMD);
        }
        if (fwCfgSecrets) {
            List<String> command = List.of("sh", "-c", SECRETS_SCRIPT, "hangar-secrets", spec.sshUser());
            for (String key : List.of("bootcmd", "runcmd")) prepend(doc, key, command);
        }
        // first in bootcmd, before the secrets' command, where earlier seeds had it
        if (resume == Resume.LEGACY_BOOTCMD) prepend(doc, "bootcmd", RTC_CLOCK_BOOTCMD);
        return "#cloud-config\n" + write(doc);
    }

    /** Puts {@code command} first in the list under {@code key} (a template's own list stays after it). */
    private static void prepend(Map<String, Object> doc, String key, List<String> command) {
        List<Object> commands = new ArrayList<>();
        commands.add(command);
        if (doc.get(key) instanceof List<?> existing) commands.addAll(existing);
        doc.put(key, commands);
    }

    /**
     * @return the NoCloud meta-data: {@code instance-id} = the workspace id (stable, so cloud-init's
     *     once-per-instance modules run on the first boot only) and {@code local-hostname} = its name
     */
    public static String metaData(WorkspaceSpec spec) {
        return metaData(spec, spec.id());
    }

    /**
     * The NoCloud meta-data with another instance-id, for a provider that resets the workspace: a
     * new instance-id makes cloud-init treat the next boot as a first boot (once-per-instance modules
     * run again: users, host keys, {@code write_files}, {@code runcmd}).
     *
     * @param instanceId the instance-id, e.g. the workspace id with a reset counter
     * @return the meta-data with {@code instance-id} and {@code local-hostname} = the workspace's name
     */
    public static String metaData(WorkspaceSpec spec, String instanceId) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("instance-id", instanceId);
        doc.put("local-hostname", spec.name());
        return write(doc);
    }

    /**
     * Maps an SSH key algorithm (RFC 4253 / 5656 / 8709 names) to the key prefix of cloud-init's
     * {@code ssh_keys} ({@code <type>_private} / {@code <type>_public}).
     */
    public static String cloudInitKeyType(String algorithm) {
        return switch (algorithm) {
            case "ssh-ed25519" -> "ed25519";
            case "ssh-rsa", "rsa-sha2-256", "rsa-sha2-512" -> "rsa";
            case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521" -> "ecdsa";
            default ->
                throw new ProviderException(
                        "host key algorithm '" + algorithm + "' is not supported by cloud-init; use ssh-ed25519", true);
        };
    }

    /**
     * cloud-init's {@code ssh_keys} (cc_ssh, cloud-init 22.4): the pinned key pair and its host
     * certificate. cloud-init writes the certificate to {@code /etc/ssh/ssh_host_<type>_key-cert.pub}
     * (mode 0600) and adds {@code HostCertificate} for it to {@code /etc/ssh/sshd_config}, in its init
     * stage, before sshd first starts. Only at first boot (per instance), like the key itself.
     */
    private static Map<String, Object> hostKeys(SshHostKey key, String certificate) {
        String type = cloudInitKeyType(key.algorithm());
        Map<String, Object> keys = new LinkedHashMap<>();
        String privateKey = key.privateKeyOpenSsh().strip() + "\n";
        keys.put(type + "_private", privateKey);
        keys.put(type + "_public", key.publicKey().strip());
        keys.put(type + "_certificate", certificate.strip() + "\n");
        return keys;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> extra(String what, String extraUserData) {
        String text = extraUserData.strip();
        if (text.isEmpty()) return Map.of();
        Object parsed;
        try {
            parsed = YAML.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new ProviderException(
                    what + " is not valid YAML (line " + e.getLocation().getLineNr() + "): " + e.getOriginalMessage(),
                    true);
        }
        if (parsed == null) return Map.of();
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new ProviderException(
                    what + " must be a #cloud-config YAML mapping, got a "
                            + parsed.getClass().getSimpleName().toLowerCase(Locale.ROOT),
                    true);
        }
        return (Map<String, Object>) map;
    }

    @SuppressWarnings("unchecked")
    private static void mergeInto(Map<String, Object> target, Map<String, Object> overlay) {
        for (Map.Entry<String, Object> e : overlay.entrySet()) {
            Object current = target.get(e.getKey());
            if (current instanceof Map<?, ?> currentMap && e.getValue() instanceof Map<?, ?> overlayMap) {
                Map<String, Object> merged = new LinkedHashMap<>((Map<String, Object>) currentMap);
                mergeInto(merged, (Map<String, Object>) overlayMap);
                target.put(e.getKey(), merged);
            } else {
                target.put(e.getKey(), e.getValue());
            }
        }
    }

    private static String write(Map<String, Object> doc) {
        try {
            return YAML.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render YAML", e);
        }
    }
}
