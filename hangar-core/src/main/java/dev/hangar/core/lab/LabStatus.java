package dev.hangar.core.lab;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Workspace;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A lab's status, aggregated from its members (pure, thread-safe):
 *
 * <ul>
 *   <li>{@code Degraded} when a member is Failed or has no workspace (its creation failed, or it was
 *       deleted outside the lab); {@link #message()} names the first such member and its reason;
 *   <li>{@code Ready} when every member is Running;
 *   <li>{@code Deleting} when a member is being deleted;
 *   <li>{@code Stopped} when every member is Stopped, {@code Stopping} while any is meant to stop;
 *   <li>{@code Creating} while a member has not been provisioned yet, else {@code Starting}.
 * </ul>
 *
 * @param state one of the states above
 * @param ready members that are Running
 * @param total members of the lab
 * @param message a line for people, e.g. {@code 3/3 ready} or {@code lab1-nodes-2: Failed: disk full}
 * @param members each member's phase and reason, in spec order
 */
public record LabStatus(State state, int ready, int total, String message, List<MemberStatus> members) {

    /** The aggregated states. */
    public enum State {
        Creating,
        Starting,
        Ready,
        Degraded,
        Stopping,
        Stopped,
        Deleting
    }

    /**
     * One member's state.
     *
     * @param member the slot
     * @param phase the workspace's phase; {@code Missing} when it has no workspace, {@code Pending}
     *     while it is being created
     * @param reason the workspace's reason, or why it is missing; empty when none
     * @param desired the workspace's desired state ({@code running}, ...); empty when it has none
     */
    public record MemberStatus(LabMember member, String phase, String reason, String desired) {
        public MemberStatus {
            Objects.requireNonNull(member, "member");
            Objects.requireNonNull(phase, "phase");
            reason = reason == null ? "" : reason;
            desired = desired == null ? "" : desired;
        }
    }

    /** The phase of a member without a workspace. */
    public static final String MISSING = "Missing";

    public LabStatus {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(message, "message");
        members = List.copyOf(members);
    }

    /**
     * @param lab the lab
     * @param workspaces the lab's member workspaces that exist, by id
     * @return the aggregate
     */
    public static LabStatus of(Lab lab, Map<String, Workspace> workspaces) {
        List<MemberStatus> ms = lab.members().stream()
                .map(m -> member(m, workspaces.get(m.workspaceId())))
                .toList();
        int total = ms.size();
        int ready = (int)
                ms.stream().filter(m -> m.phase().equals(Phase.Running.name())).count();
        String counted = ready + "/" + total + " ready";
        for (MemberStatus m : ms) {
            if (m.phase().equals(Phase.Failed.name()) || m.phase().equals(MISSING)) {
                return new LabStatus(
                        State.Degraded,
                        ready,
                        total,
                        m.member().workspaceName() + ": " + m.phase()
                                + (m.reason().isEmpty() ? "" : ": " + m.reason()) + " (" + counted + ")",
                        ms);
            }
        }
        State s;
        if (ready == total) s = State.Ready;
        else if (any(ms, Phase.Deleting) || desired(ms, DesiredState.DELETED)) s = State.Deleting;
        else if (ms.stream().allMatch(m -> m.phase().equals(Phase.Stopped.name()))) s = State.Stopped;
        else if (any(ms, Phase.Stopping) || desired(ms, DesiredState.STOPPED)) s = State.Stopping;
        else if (any(ms, Phase.Pending) || any(ms, Phase.Provisioning)) s = State.Creating;
        else s = State.Starting;
        return new LabStatus(s, ready, total, counted, ms);
    }

    private static MemberStatus member(LabMember m, Workspace w) {
        if (w != null)
            return new MemberStatus(m, w.phase().name(), w.reason(), w.desired().wire());
        if (!m.error().isEmpty()) return new MemberStatus(m, MISSING, "not created: " + m.error(), "");
        if (m.workspaceId().isEmpty()) return new MemberStatus(m, Phase.Pending.name(), "being created", "");
        return new MemberStatus(
                m, MISSING, "workspace deleted outside the lab ('hangar lab delete' removes the lab)", "");
    }

    private static boolean any(List<MemberStatus> ms, Phase p) {
        return ms.stream().anyMatch(m -> m.phase().equals(p.name()));
    }

    private static boolean desired(List<MemberStatus> ms, DesiredState d) {
        return ms.stream().anyMatch(m -> m.desired().equals(d.wire()));
    }
}
