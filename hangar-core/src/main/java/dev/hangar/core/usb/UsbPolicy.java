package dev.hangar.core.usb;

import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.template.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which USB devices may be forwarded into a workspace ({@code hangar usb attach}): a device is
 * allowed when its {@code VID:PID} matches an entry of the workspace's template ({@code usb.allow}
 * in the template YAML) or of the owner's own list (set by an administrator, see the server's
 * {@code usb-allow.yaml}). Entries are {@code VVVV:PPPP}, {@code VVVV:*} or {@code *:*}, 4 hex
 * digits each, as {@code lsusb} prints them; an empty list allows nothing.
 *
 * <p>The syntax is the one of hangar-usbip's {@code VidPidAllowList}; core may not depend on that
 * module (module rule: core knows only the provider SPI), so the few lines of matching live here
 * too. Pure and thread-safe.
 */
public final class UsbPolicy {
    private static final Pattern ENTRY = Pattern.compile("([0-9a-f]{4}|\\*):([0-9a-f]{4}|\\*)");
    private static final Pattern VID_PID = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{4}");

    private UsbPolicy() {}

    /**
     * The outcome of {@link #decide}.
     *
     * @param allowed whether the device may be attached
     * @param reason for an allowed device which list and entry matched (e.g. {@code template
     *     debian-12 entry 0483:*}); for a denied one what was consulted and how to allow it
     */
    public record Decision(boolean allowed, String reason) {
        public Decision {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Validates and lower-cases allow-list entries.
     *
     * @param field the field name for errors, e.g. {@code usb.allow}
     * @param entries the raw entries
     * @return the entries in lower case, same order
     * @throws ValidationException naming {@code field[i]} and the accepted forms
     */
    public static List<String> canonical(String field, List<String> entries) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String raw = entries.get(i);
            String e = raw == null ? "" : raw.strip().toLowerCase(Locale.ROOT);
            var m = ENTRY.matcher(e);
            if (!m.matches() || (m.group(1).equals("*") && !m.group(2).equals("*"))) {
                throw new ValidationException(
                        field + "[" + i + "]",
                        field + "[" + i + "] '" + raw + "' is not a USB id pattern; expected VVVV:PPPP (4 hex digits"
                                + " each, e.g. 0483:3748), VVVV:* (every product of a vendor) or *:*");
            }
            out.add(e);
        }
        return List.copyOf(out);
    }

    /**
     * @param vidPid the device, {@code vvvv:pppp} (lower-case hex, as the API validated it)
     * @param template the workspace's template
     * @param user the owner's name
     * @param userAllow the owner's own allow-list (canonical entries)
     * @return allowed with the matching list, or denied naming both places to allow it
     */
    public static Decision decide(String vidPid, Template template, String user, List<String> userAllow) {
        String id = vidPid.toLowerCase(Locale.ROOT);
        if (!VID_PID.matcher(id).matches())
            throw new ValidationException("vidPid", "vidPid '" + vidPid + "' must be VVVV:PPPP in hex, e.g. 0483:3748");
        Optional<String> t = match(id, template.usbAllow());
        if (t.isPresent()) return new Decision(true, "template " + template.name() + " entry " + t.get());
        Optional<String> u = match(id, userAllow);
        if (u.isPresent()) return new Decision(true, "user " + user + " entry " + u.get());
        String vendor = id.substring(0, 4);
        return new Decision(
                false,
                "USB device " + id + " is not allowed in workspaces of template " + template.name()
                        + " (template usb.allow: " + template.usbAllow() + ", user " + user + ": " + userAllow
                        + "); an administrator can add '" + id + "' or '" + vendor + ":*' to the template's usb.allow"
                        + " or to " + user + "'s list in the server's usb-allow.yaml");
    }

    private static Optional<String> match(String id, List<String> entries) {
        String vendor = id.substring(0, 4);
        for (String e : entries) {
            if (e.equals("*:*") || e.equals(id) || e.equals(vendor + ":*")) return Optional.of(e);
        }
        return Optional.empty();
    }
}
