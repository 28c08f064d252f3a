package dev.hangar.server.dashboard;

import java.util.List;
import java.util.Map;

/**
 * The values the dashboard's jte templates render, one record per page or fragment. Pure data: the
 * handlers fill them from the same services the REST routes use, the templates escape every
 * string they print. Public only because the generated template classes live in another package.
 */
public final class Pages {
    private Pages() {}

    /**
     * What every signed-in page shows around its content.
     *
     * @param user the signed-in user's name
     * @param role {@code member}, {@code admin} or {@code auditor}
     * @param csrf the session's CSRF token, put into every state-changing form
     * @param nav the active navigation entry: {@code workspaces}, {@code new}, {@code templates}, {@code keys}
     */
    public record Chrome(String user, String role, String csrf, String nav) {}

    /** One workspace as a table row; {@code href} is its page. */
    public record Row(
            String owner,
            String name,
            String template,
            String kind,
            String phase,
            String reason,
            int cpus,
            int memoryMiB,
            int diskGiB,
            String href) {}

    /**
     * The workspaces list.
     *
     * @param owner the owner filter ("" for all visible)
     * @param phase the phase filter ("" for any)
     * @param kind the provider-type filter ("" for any)
     * @param rowsHref the fragment the page polls for live phases (same filters and page)
     * @param nextHref the next page, "" on the last
     * @param firstHref the first page with the same filters, "" when this is the first
     */
    public record WorkspaceList(
            Chrome chrome,
            List<Row> rows,
            String owner,
            String phase,
            String kind,
            List<String> phases,
            List<String> kinds,
            boolean showOwnerFilter,
            String rowsHref,
            String nextHref,
            String firstHref) {}

    /** How long a workspace was (or has been) in one phase, from its phase events. */
    public record PhaseSpan(String phase, String since, String duration) {}

    /** One event, as text. */
    public record EventRow(String at, String actor, String type, String message, int count) {}

    /**
     * A workspace's page.
     *
     * @param liveHref the fragment the page polls (phase, timeline, events)
     * @param actionBase the path its action forms post to ({@code actionBase + "/stop"})
     * @param canWrite false for auditors: the action forms are left out
     * @param sshCommand what to run to reach it
     * @param vscodeHref VS Code Remote-SSH's link to the host alias {@code hangar config-ssh} writes
     * @param usb the USB devices attached now (as {@code GET .../usb/attachments}), oldest first
     * @param lab the lab this workspace is a member of; {@code name} "" when none
     */
    public record WorkspaceDetail(
            Chrome chrome,
            Row ws,
            String image,
            String desired,
            String createdAt,
            List<PhaseSpan> timeline,
            List<EventRow> events,
            String sshCommand,
            String vscodeHref,
            String liveHref,
            String actionBase,
            boolean canWrite,
            List<UsbRow> usb,
            LabLink lab) {}

    /** One USB device attached to a workspace. */
    public record UsbRow(String busId, String vidPid, String usbipd, String actor, String since) {}

    /**
     * The lab a workspace belongs to.
     *
     * @param name the lab's name, "" when the workspace belongs to none
     * @param href the lab's page
     * @param status e.g. {@code Ready 3/3}
     */
    public record LabLink(String name, String href, String status) {
        /** No lab. */
        public static final LabLink NONE = new LabLink("", "", "");
    }

    /** A template with its defaults and allowed ranges. */
    public record TemplateRow(
            String name,
            String description,
            String kind,
            String image,
            int cpus,
            int memoryMiB,
            int diskGiB,
            int cpusMin,
            int cpusMax,
            int memoryMin,
            int memoryMax,
            int diskMin,
            int diskMax,
            List<DeviceRow> devices) {
        public TemplateRow {
            devices = List.copyOf(devices);
        }
    }

    /**
     * A device the template offers, as the create form's number input (issue #19).
     *
     * @param name the device's extended-resource name, e.g. {@code nvidia.com/gpu}
     * @param field the form field, {@code device.<name>}
     * @param id the input's HTML id, {@code device-<index>}
     * @param count the template's default count
     * @param min the least a workspace may ask for
     * @param max the most a workspace may ask for
     */
    public record DeviceRow(String name, String field, String id, int count, int min, int max) {}

    /** The templates page. */
    public record TemplateList(Chrome chrome, List<TemplateRow> templates) {}

    /**
     * The create form.
     *
     * @param selected the chosen template (its ranges bound the size fields)
     * @param values what the user typed, by field name ({@code name}, {@code cpus}, {@code
     *     memoryMiB}, {@code diskGiB}, and {@code device.<device name>} per device)
     * @param errors the problem's detail by field, shown next to that field
     * @param formError an error that names no field; "" when none
     */
    public record CreateForm(
            Chrome chrome,
            List<TemplateRow> templates,
            TemplateRow selected,
            Map<String, String> values,
            Map<String, String> errors,
            String formError) {
        /** @return the typed value of {@code field}, "" when none */
        public String value(String field) {
            return values.getOrDefault(field, "");
        }

        /** @return the error of {@code field}, "" when none */
        public String error(String field) {
            return errors.getOrDefault(field, "");
        }
    }

    /** One registered SSH key. */
    public record KeyRow(String algorithm, int bits, String fingerprint, String comment, String addedAt) {}

    /** The SSH keys page; {@code error} is the last add's problem, "" when none. */
    public record KeyList(Chrome chrome, List<KeyRow> keys, String error, String typed) {}

    /**
     * The sign-in page.
     *
     * @param error why the last attempt failed, "" when none
     * @param notice e.g. that the session expired, "" when none
     * @param oidcProvider the OIDC provider's name for the "Sign in with ..." button; "" when the
     *     server has no OIDC sign-in
     */
    public record SignIn(String error, String notice, String oidcProvider) {}

    /** A page with one message (not found, refused). */
    public record Message(Chrome chrome, String title, String message) {}

    /** Asks before deleting; {@code actionHref} is the delete form's target. */
    public record ConfirmDelete(Chrome chrome, Row ws, String actionHref, String cancelHref) {}

    /**
     * One image of the provider that offers images.
     *
     * @param state {@code available}, {@code pulling}, {@code cached} or {@code failed}
     * @param sizeBytes the cached image's virtual size, 0 when not cached
     * @param bytesDone a running or failed pull's bytes so far
     * @param bytesTotal a pull's total bytes, -1 when unknown
     * @param error why the last pull failed, "" when it did not
     * @param statusHref the JSON the progress bar polls ({@link ImageStatus})
     */
    public record ImageRow(
            String name,
            String description,
            String source,
            String state,
            long sizeBytes,
            long bytesDone,
            long bytesTotal,
            String error,
            String statusHref) {
        /** @return the size in MiB, rounded down, for people */
        public long sizeMiB() {
            return sizeBytes / (1024 * 1024);
        }
    }

    /**
     * The images page.
     *
     * @param offered false when no provider offers images (the page says so)
     * @param pulling the image whose pull was just started, "" when none
     * @param error the pull form's problem, shown next to its field; "" when none
     * @param typed what the pull form's field held
     * @param canPull false for auditors
     */
    public record ImageList(
            Chrome chrome,
            List<ImageRow> images,
            boolean offered,
            String pulling,
            String error,
            String typed,
            boolean canPull) {}

    /** One image's state as the progress bar reads it (JSON). */
    public record ImageStatus(String name, String state, long bytesDone, long bytesTotal, String error) {}

    /**
     * One lab with its aggregated status.
     *
     * @param state {@code Ready}, {@code Degraded}, ... ({@code LabStatus.State})
     * @param summary for people: {@code Ready 3/3}, or {@code Degraded: <member>: <phase>: <reason> (n/N ready)}
     */
    public record LabRow(String owner, String name, String state, String summary, int ready, int total, String href) {}

    /** The labs list; {@code showOwner} for users who read every lab. */
    public record LabList(Chrome chrome, List<LabRow> labs, boolean showOwner) {}

    /**
     * One member of a lab.
     *
     * @param phase the workspace's phase, {@code Missing} when it has none
     * @param href the workspace's page, "" when it has no workspace
     */
    public record LabMemberRow(
            String workspace, String group, String address, String phase, String reason, String href) {}

    /** A lab's page; {@code inventoryHref} downloads its Ansible inventory (INI). */
    public record LabDetail(
            Chrome chrome,
            LabRow lab,
            String subnet,
            String createdAt,
            List<LabMemberRow> members,
            String inventoryHref) {}

    /** One user as admins see them; {@code role} is {@code member}, {@code admin} or {@code auditor}. */
    public record UserRow(String name, String role, boolean disabled, String createdAt) {}

    /** The users page (admins only). */
    public record UserList(Chrome chrome, List<UserRow> users) {}
}
