package dev.hangar.core.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceParameters;
import dev.hangar.core.service.HostKeys;
import dev.hangar.provider.spi.Resources;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The quota arithmetic: what counts as use, how overrides merge, where the boundary is. */
class QuotaPolicyTest {
    private static final Instant T0 = Instant.parse("2026-12-03T08:00:00Z");

    static QuotaLimits limits(int running, int cpus, long memoryMiB, long diskGiB) {
        return new QuotaLimits(
                OptionalInt.of(running), OptionalInt.of(cpus), OptionalLong.of(memoryMiB), OptionalLong.of(diskGiB));
    }

    private static Workspace ws(String name, DesiredState desired, Resources r) {
        return new Workspace(
                        name + "-id",
                        name,
                        "alice",
                        "t",
                        "fake",
                        new WorkspaceParameters(r, "img", "", ""),
                        HostKeys.generateEd25519(name),
                        DesiredState.RUNNING,
                        Phase.Running,
                        "",
                        "",
                        0,
                        false,
                        0,
                        T0,
                        T0,
                        1)
                .withDesired(desired, T0);
    }

    @Test
    void usageCountsRunningCpusAndMemoryOfRunningOnesAndDiskOfAllButDeletedOnes() {
        QuotaUsage u = QuotaUsage.of(List.of(
                ws("a", DesiredState.RUNNING, new Resources(2, 1024, 10)),
                ws("b", DesiredState.RUNNING, new Resources(4, 2048, 20)),
                ws("c", DesiredState.STOPPED, new Resources(8, 8192, 40)),
                ws("d", DesiredState.DELETED, new Resources(16, 16384, 80))));
        assertThat(u).isEqualTo(new QuotaUsage(2, 6, 3072, 70));
        assertThat(QuotaUsage.of(List.of())).isEqualTo(QuotaUsage.NONE);
    }

    @Test
    void creatingAddsEverythingAndStartingAddsAllButTheDisk() {
        Resources r = new Resources(2, 512, 9);
        assertThat(QuotaUsage.running(r)).isEqualTo(new QuotaUsage(1, 2, 512, 9));
        assertThat(QuotaUsage.starting(r)).isEqualTo(new QuotaUsage(1, 2, 512, 0));
        assertThat(QuotaUsage.stopped(r)).isEqualTo(new QuotaUsage(0, 0, 0, 9));
    }

    @Test
    void exactlyReachingALimitIsAllowedAndOneMoreIsRefusedNamingLimitUseAndSource() {
        QuotaLimits l = limits(4, 8, 8192, 100);
        assertThatCode(() ->
                        QuotaPolicy.check(l, new QuotaUsage(3, 6, 6144, 90), new QuotaUsage(1, 2, 2048, 10), "member"))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> QuotaPolicy.check(l, new QuotaUsage(4, 0, 0, 0), new QuotaUsage(1, 1, 1, 1), "member"))
                .isInstanceOfSatisfying(QuotaExceededException.class, e -> {
                    assertThat(e.field()).isEqualTo("running");
                    assertThat(e.kind()).isEqualTo("quota-exceeded");
                })
                .hasMessage("quota: running workspaces 4 of 4 (member); stop one or ask an admin");
        assertThatThrownBy(() -> QuotaPolicy.check(l, new QuotaUsage(1, 6, 0, 0), new QuotaUsage(1, 3, 1, 1), "member"))
                .hasMessage("quota: vCPUs 6 of 8, 3 more requested (member); stop one or ask an admin");
        assertThatThrownBy(() -> QuotaPolicy.check(
                        l, new QuotaUsage(1, 1, 8000, 0), new QuotaUsage(1, 1, 193, 1), "per-user override"))
                .hasMessage("quota: memory MiB 8000 of 8192, 193 more requested (per-user override); stop one or ask"
                        + " an admin");
        assertThatThrownBy(() -> QuotaPolicy.check(l, new QuotaUsage(0, 0, 0, 95), new QuotaUsage(1, 1, 1, 6), "admin"))
                .hasMessage("quota: disk GiB 95 of 100, 6 more requested (admin); delete one or ask an admin");
    }

    @Test
    void aFieldThatIsNotIncreasedNeverRefusesEvenWhenAlreadyOver() {
        // a start adds no disk: use over the disk limit (e.g. after an admin lowered it) does not block it
        assertThatCode(() -> QuotaPolicy.check(
                        limits(4, 8, 8192, 10), new QuotaUsage(0, 0, 0, 50), new QuotaUsage(1, 1, 1, 0), "member"))
                .doesNotThrowAnyException();
        assertThatCode(() -> QuotaPolicy.check(
                        QuotaLimits.UNLIMITED,
                        new QuotaUsage(1000, 1000, 1 << 30, 1 << 30),
                        new QuotaUsage(1, 64, 1 << 20, 1000),
                        "member"))
                .doesNotThrowAnyException();
    }

    @Test
    void zeroForbidsAndNegativeLimitsAreRefused() {
        assertThatThrownBy(() -> QuotaPolicy.check(
                        limits(0, 8, 8192, 100), QuotaUsage.NONE, new QuotaUsage(1, 1, 1, 1), "auditor"))
                .hasMessage("quota: running workspaces 0 of 0 (auditor); stop one or ask an admin");
        assertThatThrownBy(() -> new QuotaLimits(
                        OptionalInt.of(-1), OptionalInt.empty(), OptionalLong.empty(), OptionalLong.empty()))
                .isInstanceOfSatisfying(
                        ValidationException.class, e -> assertThat(e.field()).isEqualTo("running"));
        assertThatThrownBy(() -> new QuotaLimits(
                        OptionalInt.empty(), OptionalInt.empty(), OptionalLong.empty(), OptionalLong.of(-5)))
                .isInstanceOfSatisfying(
                        ValidationException.class, e -> assertThat(e.field()).isEqualTo("diskGiB"));
    }

    @Test
    void anOverrideReplacesOnlyTheFieldsItSetsAndRolesDefaultToUnlimited() {
        QuotaPolicy p = new QuotaPolicy(Map.of(Role.MEMBER, limits(2, 4, 4096, 50)));
        User bob = new User("bob", Role.MEMBER, false, T0);
        User root = new User("root", Role.ADMIN, false, T0);
        QuotaLimits override =
                new QuotaLimits(OptionalInt.of(5), OptionalInt.empty(), OptionalLong.empty(), OptionalLong.of(500));
        assertThat(p.effective(bob, Optional.empty())).isEqualTo(limits(2, 4, 4096, 50));
        assertThat(p.effective(bob, Optional.of(override))).isEqualTo(limits(5, 4, 4096, 500));
        assertThat(p.effective(root, Optional.empty())).isEqualTo(QuotaLimits.UNLIMITED);
        assertThat(p.effective(root, Optional.of(override)))
                .isEqualTo(new QuotaLimits(
                        OptionalInt.of(5), OptionalInt.empty(), OptionalLong.empty(), OptionalLong.of(500)));
        assertThat(QuotaPolicy.UNLIMITED.forRole(Role.MEMBER).unlimited()).isTrue();
        assertThat(override.unlimited()).isFalse();
    }

    @Test
    void anOverridesDeviceLimitReplacesTheRolesForThatDeviceOnlyAndIsChecked() {
        QuotaPolicy p = new QuotaPolicy(Map.of(
                Role.MEMBER, QuotaLimits.UNLIMITED.withDevices(Map.of("nvidia.com/gpu", 1, "example.com/fpga", 2))));
        User bob = new User("bob", Role.MEMBER, false, T0);
        QuotaLimits override = QuotaLimits.UNLIMITED.withDevices(Map.of("nvidia.com/gpu", 3));
        QuotaLimits effective = p.effective(bob, Optional.of(override));
        assertThat(effective.devices())
                .containsExactly(Map.entry("example.com/fpga", 2), Map.entry("nvidia.com/gpu", 3));
        assertThat(override.unlimited()).isFalse();

        QuotaUsage twoGpus = new QuotaUsage(1, 1, 0, 0, Map.of("nvidia.com/gpu", 2));
        QuotaUsage oneGpu = new QuotaUsage(1, 1, 0, 0, Map.of("nvidia.com/gpu", 1));
        // the role alone refuses a second GPU; the override admits up to 3 and refuses the fourth
        assertThatThrownBy(() -> QuotaPolicy.check(p.forRole(Role.MEMBER), oneGpu, oneGpu, "member"))
                .isInstanceOf(QuotaExceededException.class)
                .hasMessage(
                        "quota: devices nvidia.com/gpu 1 of 1, 1 more requested (member); stop one or ask an admin");
        QuotaPolicy.check(effective, twoGpus, oneGpu, "per-user override");
        assertThatThrownBy(() -> QuotaPolicy.check(effective, twoGpus, twoGpus, "per-user override"))
                .isInstanceOf(QuotaExceededException.class)
                .hasMessage("quota: devices nvidia.com/gpu 2 of 3, 2 more requested (per-user override);"
                        + " stop one or ask an admin")
                .extracting(e -> ((QuotaExceededException) e).field())
                .isEqualTo("devices.nvidia.com/gpu");
        // an override of 0 forbids the device
        QuotaLimits none =
                p.effective(bob, Optional.of(QuotaLimits.UNLIMITED.withDevices(Map.of("nvidia.com/gpu", 0))));
        assertThatThrownBy(() -> QuotaPolicy.check(none, QuotaUsage.NONE, oneGpu, "per-user override"))
                .isInstanceOf(QuotaExceededException.class)
                .hasMessageContaining("devices nvidia.com/gpu 0 of 0");
    }
}
