package dev.hangar.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.gateway.AccessPolicy.Decision;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
    private final MapDirectory directory = new MapDirectory()
            .admin("root-admin")
            .workspace("dev", new WorkspaceTarget.Reachable("id-a-dev", "alice", "10.0.0.5", 2201))
            .workspace("dev", new WorkspaceTarget.Reachable("id-b-dev", "bob", "127.0.0.1", 2202))
            .workspace("off", new WorkspaceTarget.Unreachable("id-a-off", "alice", "Stopped"))
            .workspace(
                    "boot",
                    new WorkspaceTarget.Unreachable(
                            "id-a-boot", "alice", "Provisioning", "pulling image debian-12", true));
    private final AccessPolicy policy = new AccessPolicy(directory);

    @Test
    void ownWorkspaceByNameWithOrWithoutSuffixAnyCase() {
        for (String host : new String[] {"dev", "dev.hangar", "DEV.Hangar", "dev.alice.hangar", "dev.alice"}) {
            assertThat(policy.decide("alice", host, 22))
                    .as(host)
                    .isEqualTo(
                            new Decision.Allow(new WorkspaceTarget.Reachable("id-a-dev", "alice", "10.0.0.5", 2201)));
        }
    }

    @Test
    void theSameNameResolvesToEachUsersOwnWorkspace() {
        assertThat(policy.decide("bob", "dev.hangar", 22))
                .isInstanceOfSatisfying(
                        Decision.Allow.class, a -> assertThat(a.target().id()).isEqualTo("id-b-dev"));
    }

    @Test
    void othersWorkspacesOnlyForAdmins() {
        assertThat(policy.decide("bob", "dev.alice.hangar", 22))
                .isEqualTo(new Decision.Deny(
                        Denial.NOT_OWNER,
                        "no workspace 'dev.alice' that you can reach; 'hangar list' shows yours",
                        "id-a-dev"));
        assertThat(policy.decide("root-admin", "dev.alice.hangar", 22)).isInstanceOf(Decision.Allow.class);
    }

    @Test
    void denials() {
        assertThat(((Decision.Deny) policy.decide("alice", "dev.hangar", 2222)).reason())
                .isEqualTo(Denial.WRONG_PORT);
        assertThat(((Decision.Deny) policy.decide("alice", "nope.hangar", 22)).reason())
                .isEqualTo(Denial.UNKNOWN_WORKSPACE);
        assertThat(((Decision.Deny) policy.decide("alice", "off.hangar", 22)).message())
                .contains("is Stopped");
        for (String bad : new String[] {"a.b.c.hangar", "10.0.0.5", "", "-x.hangar", "dev..hangar", "dev\n.hangar"}) {
            assertThat(policy.decide("alice", bad, 22)).as(bad).isInstanceOfSatisfying(Decision.Deny.class, d -> {
                assertThat(d.reason()).isEqualTo(Denial.INVALID_TARGET);
                assertThat(d.message()).doesNotContain("\n");
            });
        }
    }

    @Test
    void aStartingWorkspaceIsReportedAsStartingNotAsSomethingToStart() {
        String m = ((Decision.Deny) policy.decide("alice", "boot.hangar", 22)).message();
        assertThat(m)
                .isEqualTo("workspace 'boot' is starting (Provisioning: pulling image debian-12); try again when it is"
                        + " Running ('hangar start boot --wait' waits for it)");
        assertThat(((Decision.Deny) policy.decide("alice", "off.hangar", 22)).message())
                .isEqualTo("workspace 'off' is Stopped, not Running; start it with 'hangar start off'");
    }
}
