package dev.hangar.testing.cli;

import dev.hangar.cli.CliHarness;
import dev.hangar.core.domain.Role;
import dev.hangar.core.quota.QuotaLimits;
import dev.hangar.core.quota.QuotaPolicy;
import dev.hangar.testing.TestControlPlane;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hangar quota show|set} against the real server whose members may run 2 workspaces with 4
 * vCPUs in all; a create past the limit shows the server's quota problem.
 */
class CliQuotaGoldenTest {
    private TestControlPlane cp;

    @TempDir
    Path home;

    @BeforeEach
    void start() {
        cp = TestControlPlane.builder()
                .configure(c -> c.withQuotas(new QuotaPolicy(Map.of(
                        Role.MEMBER,
                        new QuotaLimits(
                                OptionalInt.of(2), OptionalInt.of(4), OptionalLong.empty(), OptionalLong.empty())))))
                .start();
    }

    @AfterEach
    void stop() {
        cp.close();
    }

    private CliHarness as(String token) {
        return new CliHarness(home).env("HANGAR_URL", cp.baseUri().toString()).env("HANGAR_TOKEN", token);
    }

    @Test
    void membersSeeTheirQuotaAndAdminsSetOverrides() {
        CliHarness alice = as(cp.createUser("alice", Role.MEMBER).token());
        CliHarness admin = as(cp.adminToken());
        Golden g = new Golden(alice);
        g.note("a member sees their own quota: the role's limits and the current use");
        g.run("quota", "show");
        g.run("create", "one", "--template", "fake", "--cpus", "2");
        g.run("create", "two", "--template", "fake", "--cpus", "1", "--memory", "2GiB", "--disk", "20GiB");
        g.note("past a limit the server refuses, naming the limit and the use");
        g.run("create", "three", "--template", "fake", "--cpus", "1");
        g.run("quota", "show", "-o", "json");
        g.note("another user's quota is not found for a member; setting quotas is for admins");
        g.run("quota", "show", "admin");
        g.run("quota", "set", "alice", "--running", "9");
        g.note("an admin raises alice's limits; options left out keep the override, 'role' drops a field");
        g.as(admin).run("quota", "set", "alice", "--running", "3", "--memory", "16GiB", "--disk", "200GiB");
        g.run("quota", "set", "alice", "--cpus", "8", "--memory", "role");
        g.run("quota", "show", "alice");
        g.as(alice).run("create", "three", "--template", "fake", "--cpus", "1");
        g.note("bad input");
        g.as(admin).run("quota", "set", "alice");
        g.run("quota", "set", "alice", "--running", "lots");
        g.run("quota", "set", "alice", "--disk", "1.5GiB");
        g.run("quota", "set", "nobody", "--running", "1");
        g.note("--reset removes the override: the role's limits apply again");
        g.run("quota", "set", "alice", "--reset");
        g.run("quota", "show", "alice");
        g.run("quota", "show");
        g.assertMatches("quotas");
    }
}
