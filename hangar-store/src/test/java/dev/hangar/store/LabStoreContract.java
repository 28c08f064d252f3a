package dev.hangar.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.User;
import dev.hangar.core.lab.Lab;
import dev.hangar.core.lab.LabGroup;
import dev.hangar.core.lab.LabMember;
import dev.hangar.core.lab.LabSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The lab part of the store contract (migration V8: {@code labs} and {@code lab_members}), run by
 * {@link StoreContractTest} on SQLite and on PostgreSQL.
 */
interface LabStoreContract {

    Instant L = Instant.parse("2026-12-03T10:00:00.123456Z");

    /** @return the fresh store of the running test */
    JdbiStore labStore();

    private static Lab lab(String owner, String name, String subnet) {
        LabSpec spec = new LabSpec(
                name,
                "debian-12",
                Map.of("fqdn_master", "master.example", "k8s_version", "1.31"),
                List.of(
                        new LabGroup("master", 1, "", 2, 2048, 0, "packages: [git]\n", Map.of("role", "cp")),
                        LabGroup.of("nodes", 2)));
        String prefix = subnet.substring(0, subnet.lastIndexOf('.') + 1);
        return new Lab(
                UUID.randomUUID().toString(),
                owner,
                spec,
                subnet,
                L,
                List.of(
                        new LabMember("master", 1, name + "-master-1", "", prefix + "11", ""),
                        new LabMember("nodes", 1, name + "-nodes-1", "", prefix + "12", ""),
                        new LabMember("nodes", 2, name + "-nodes-2", "", prefix + "13", "")));
    }

    @Test
    default void labsRoundTripWithSpecMembersAndMillisecondTimes() {
        JdbiStore s = labStore();
        s.users().insert(new User("lab-alice", Role.MEMBER, false, L));
        Lab lab = lab("lab-alice", "k8s", "10.213.0.0/24");

        Lab stored = s.labs().insert(lab);

        assertThat(stored.createdAt()).isEqualTo(Instant.parse("2026-12-03T10:00:00.123Z"));
        assertThat(s.labs().find("lab-alice", "k8s")).contains(stored);
        assertThat(s.labs().find("lab-alice", "k8s").orElseThrow().spec()).isEqualTo(lab.spec());
        assertThat(s.labs().find("lab-alice", "other")).isEmpty();
        assertThat(s.labs().find("lab-bob", "k8s")).isEmpty();
        assertThat(s.labs().subnets()).containsExactly("10.213.0.0/24");
    }

    @Test
    default void membersAreLinkedOrFailedAndFoundByTheirWorkspace() {
        JdbiStore s = labStore();
        s.users().insert(new User("lab-carol", Role.MEMBER, false, L));
        Lab lab = s.labs().insert(lab("lab-carol", "web", "10.213.1.0/24"));

        s.labs().linkMember(lab.id(), "nodes", 2, "ws-id-2");
        s.labs().failMember(lab.id(), "nodes", 1, "quota exceeded: running 2 of 2");

        Lab read = s.labs().find("lab-carol", "web").orElseThrow();
        assertThat(read.members())
                .extracting(LabMember::workspaceName, LabMember::workspaceId, LabMember::error)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("web-master-1", "", ""),
                        org.assertj.core.groups.Tuple.tuple("web-nodes-1", "", "quota exceeded: running 2 of 2"),
                        org.assertj.core.groups.Tuple.tuple("web-nodes-2", "ws-id-2", ""));
        assertThat(s.labs().findByWorkspace("ws-id-2").map(Lab::id)).contains(lab.id());
        assertThat(s.labs().findByWorkspace("")).isEmpty();
        assertThat(s.labs().findByWorkspace("nope")).isEmpty();
        assertThatThrownBy(() -> s.labs().linkMember(lab.id(), "nodes", 9, "x")).isInstanceOf(NotFoundException.class);
    }

    @Test
    default void nameAndSubnetAreUniqueAndOwnersMustExist() {
        JdbiStore s = labStore();
        s.users().insert(new User("lab-dave", Role.MEMBER, false, L));
        s.users().insert(new User("lab-erin", Role.MEMBER, false, L));
        s.labs().insert(lab("lab-dave", "k8s", "10.213.2.0/24"));

        assertThatThrownBy(() -> s.labs().insert(lab("lab-dave", "k8s", "10.213.3.0/24")))
                .isInstanceOfSatisfying(
                        ConflictException.class, e -> assertThat(e.field()).isEqualTo("name"));
        assertThatThrownBy(() -> s.labs().insert(lab("lab-erin", "other", "10.213.2.0/24")))
                .isInstanceOfSatisfying(
                        ConflictException.class, e -> assertThat(e.field()).isEqualTo("subnet"));
        assertThatThrownBy(() -> s.labs().insert(lab("lab-nobody", "k8s", "10.213.4.0/24")))
                .isInstanceOf(NotFoundException.class);
        // another owner may use the same lab name
        s.labs().insert(lab("lab-erin", "k8s", "10.213.5.0/24"));
        assertThat(s.labs().list("")).extracting(Lab::owner).containsExactly("lab-dave", "lab-erin");
        assertThat(s.labs().list("lab-erin")).extracting(Lab::subnet).containsExactly("10.213.5.0/24");
        // a failed insert left no half-written lab behind
        assertThat(s.labs().subnets()).containsExactly("10.213.2.0/24", "10.213.5.0/24");
    }

    @Test
    default void deleteRemovesTheLabAndItsMembersIdempotentlyAndLabsGoWithTheirOwner() throws Exception {
        JdbiStore s = labStore();
        s.users().insert(new User("lab-frank", Role.MEMBER, false, L));
        Lab lab = s.labs().insert(lab("lab-frank", "k8s", "10.213.6.0/24"));
        s.labs().linkMember(lab.id(), "master", 1, "ws-frank-1");

        assertThat(s.labs().delete(lab.id())).isTrue();
        assertThat(s.labs().delete(lab.id())).isFalse();
        assertThat(s.labs().find("lab-frank", "k8s")).isEmpty();
        assertThat(s.labs().findByWorkspace("ws-frank-1")).isEmpty();
        assertThat(s.labs().subnets()).isEmpty();
        assertThat(labMemberRows()).isZero();

        s.labs().insert(lab("lab-frank", "again", "10.213.6.0/24"));
        assertThat(s.users().delete("lab-frank")).isTrue();
        assertThat(s.labs().list("")).isEmpty();
        assertThat(labMemberRows()).isZero();
    }

    @Test
    default void aLabChangesOwnerWithItsMembersUnlessTheNameIsTakenThere() {
        JdbiStore s = labStore();
        s.users().insert(new User("lab-gina", Role.MEMBER, false, L));
        s.users().insert(new User("lab-hank", Role.MEMBER, false, L));
        Lab k8s = s.labs().insert(lab("lab-gina", "k8s", "10.213.7.0/24"));
        Lab web = s.labs().insert(lab("lab-gina", "web", "10.213.8.0/24"));
        s.labs().insert(lab("lab-hank", "web", "10.213.9.0/24"));
        s.labs().linkMember(k8s.id(), "nodes", 1, "ws-gina-1");

        s.labs().changeOwner(k8s.id(), "lab-hank");
        s.labs().changeOwner(k8s.id(), "lab-hank"); // idempotent

        Lab moved = s.labs().find("lab-hank", "k8s").orElseThrow();
        assertThat(moved.members())
                .isEqualTo(s.labs().findByWorkspace("ws-gina-1").orElseThrow().members());
        assertThat(moved.members()).hasSize(3);
        assertThat(s.labs().find("lab-gina", "k8s")).isEmpty();
        assertThatThrownBy(() -> s.labs().changeOwner(web.id(), "lab-hank"))
                .isInstanceOfSatisfying(ConflictException.class, e -> {
                    assertThat(e.field()).isEqualTo("name");
                    assertThat(e.getMessage()).contains("'lab-hank' already has a lab named 'web'");
                });
        assertThatThrownBy(() -> s.labs().changeOwner(web.id(), "lab-nobody"))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("lab-nobody");
        assertThatThrownBy(() -> s.labs().changeOwner("no-such-lab", "lab-hank"))
                .isInstanceOf(NotFoundException.class);
        assertThat(s.labs().find("lab-gina", "web")).contains(web);
    }

    /** @return the rows of {@code lab_members}, counted with plain JDBC past the store */
    long labMemberRows() throws Exception;
}
