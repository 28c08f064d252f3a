package dev.hangar.api.client;

import dev.hangar.api.CreateLabRequest;
import dev.hangar.api.LabView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The labs facet of {@link HangarClient} ({@link HangarClient#labs()}): {@code /api/v1/labs}. Same
 * errors as {@link HangarClient}: a non-2xx answer throws {@link ApiException} (with the problem's
 * {@code field}), no answer throws {@link ServerUnreachableException}. Thread-safe; it shares its
 * client's transport. {@code owner} arguments may be empty for the caller (admins name others).
 */
public final class LabClient {
    private static final String API = "/api/v1/labs";

    private final ApiTransport transport;

    LabClient(ApiTransport transport) {
        this.transport = Objects.requireNonNull(transport, "transport");
    }

    /**
     * {@code POST /labs} (201): creates the lab and its members; returns when every member is
     * recorded (the reconciler then provisions them).
     *
     * @throws ApiException 400 for an unreadable body, 422 naming the field for a bad value, 409 when
     *     the lab or a member's workspace name is taken
     */
    public LabView create(CreateLabRequest request) {
        return transport.send("POST", API, request, LabView.class);
    }

    /** {@code GET /labs}: the caller's labs (admins and auditors: everyone's), by owner and name. */
    public List<LabView> list() {
        return transport.sendForList("GET", API, null, LabView.class);
    }

    /** {@code GET /labs/{name}}: one lab with its members' state; 404 when unknown or not visible. */
    public LabView get(String name, String owner) {
        return transport.send("GET", path(name, "") + owner(owner), null, LabView.class);
    }

    /** {@code POST /labs/{name}/start} (202): asks every member to run. Idempotent. */
    public LabView start(String name, String owner) {
        return transport.send("POST", path(name, "/start") + owner(owner), null, LabView.class);
    }

    /** {@code POST /labs/{name}/stop} (202): asks every member to stop. Idempotent. */
    public LabView stop(String name, String owner) {
        return transport.send("POST", path(name, "/stop") + owner(owner), null, LabView.class);
    }

    /**
     * {@code POST /labs/{name}/reset[?group=G...][&member=M...]} (202): asks for the members of the
     * named groups and the named members (every member when both are empty) to be put back to a
     * fresh disk from their base image (destroys the disks' changes).
     *
     * @param groups the lab's group names; may be empty
     * @param members members' workspace names; may be empty
     * @return one recorded request per member reset, in the lab's member order
     * @throws ApiException 409 when a member's provider kind cannot reset (none is reset), 422 (field
     *     {@code group} or {@code member}) for a group or member the lab does not have, 404 when
     *     unknown or not visible
     */
    public List<dev.hangar.api.ResetView> reset(String name, String owner, List<String> groups, List<String> members) {
        // Repeated parameters: one query(...) per value, joined (query takes one value per key).
        StringBuilder q = new StringBuilder(owner(owner));
        for (String g : groups) appendParam(q, "group", g);
        for (String m : members) appendParam(q, "member", m);
        return transport.sendForList("POST", path(name, "/reset") + q, null, dev.hangar.api.ResetView.class);
    }

    /**
     * {@code DELETE /labs/{name}} (202): asks every member that exists to be deleted and removes the
     * lab; the answer is the lab as it was, with status {@code Deleting}.
     */
    public LabView delete(String name, String owner) {
        return transport.send("DELETE", path(name, "") + owner(owner), null, LabView.class);
    }

    /**
     * {@code GET /labs/{name}/inventory}: the Ansible inventory as text.
     *
     * @param format {@code ini}, {@code yaml}, {@code json} or {@code list} (dynamic-inventory JSON)
     * @param sshConfig absolute path of the config {@code hangar config-ssh} wrote, for {@code
     *     ansible_ssh_common_args}; empty for the server's default (Ansible reads {@code $HOME})
     */
    public String inventory(String name, String owner, String format, String sshConfig) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("format", format);
        q.put("sshConfig", sshConfig);
        q.put("owner", owner);
        return transport.getText(path(name, "/inventory") + ApiPaths.query(q));
    }

    private static String path(String name, String suffix) {
        return API + "/" + ApiPaths.segment(name) + suffix;
    }

    private static void appendParam(StringBuilder q, String key, String value) {
        String one = ApiPaths.query(Map.of(key, value));
        if (!one.isEmpty()) q.append(q.isEmpty() ? '?' : '&').append(one, 1, one.length());
    }

    private static String owner(String owner) {
        return ApiPaths.query(Map.of("owner", owner));
    }
}
