package dev.hangar.testing.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hangar.api.AuditEntryView;
import dev.hangar.api.Json;
import dev.hangar.cli.CliHarness;
import dev.hangar.core.domain.Role;
import dev.hangar.testfixtures.TestClock;
import dev.hangar.testing.TestControlPlane;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hangar audit} against the real server: filters, the output formats, members refused. */
class CliAuditTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-12-03T10:00:00Z"));
    private TestControlPlane cp;

    @TempDir
    Path home;

    @BeforeEach
    void start() {
        cp = TestControlPlane.builder().clock(clock).start();
    }

    @AfterEach
    void stop() {
        cp.close();
    }

    private CliHarness as(String token) {
        return new CliHarness(home)
                .env("HANGAR_URL", cp.baseUri().toString())
                .env("HANGAR_TOKEN", token)
                .clock(clock);
    }

    private static List<AuditEntryView> json(CliHarness.Result r) throws Exception {
        assertThat(r.code()).as(r.toString()).isZero();
        return Json.mapper().readValue(r.out(), new TypeReference<List<AuditEntryView>>() {});
    }

    @Test
    void adminsAndAuditorsReadTheLogWithFiltersMembersAreRefused() throws Exception {
        CliHarness admin = as(cp.adminToken());
        String member = cp.createUser("cli-alice", Role.MEMBER).token();
        String auditor = cp.createUser("cli-audrey", Role.AUDITOR).token();
        assertThat(admin.run("user", "create", "cli-bob").code()).isZero();
        clock.advance(Duration.ofHours(2));
        assertThat(admin.run("user", "disable", "cli-bob").code()).isZero();
        assertThat(as(member).run("token", "create", "--name", "cli-ci").code()).isZero();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> cp.server()
                                .audit()
                                .list(dev.hangar.core.audit.AuditQuery.ALL, 100)
                                .size()
                        >= 3);

        List<AuditEntryView> all = json(admin.run("audit", "-o", "json"));
        assertThat(all).extracting(AuditEntryView::action).contains("user.create", "user.disable", "token.create");

        // --since 1h: the create two hours ago is left out
        List<AuditEntryView> recent = json(as(auditor).run("audit", "--since", "1h", "-o", "json"));
        assertThat(recent)
                .extracting(AuditEntryView::action)
                .contains("user.disable")
                .doesNotContain("user.create");
        assertThat(json(admin.run("audit", "--user", "cli-alice", "-o", "json")))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.action()).isEqualTo("token.create");
                    assertThat(e.target()).isEqualTo("cli-alice/cli-ci");
                });
        assertThat(json(admin.run("audit", "--action", "user.", "--limit", "1", "-o", "json")))
                .singleElement()
                .satisfies(e -> assertThat(e.action()).isEqualTo("user.disable"));

        List<?> yaml = new ObjectMapper(new YAMLFactory())
                .readValue(
                        admin.run("audit", "--action", "user.create", "-o", "yaml")
                                .out(),
                        List.class);
        assertThat(yaml).hasSize(1);
        CliHarness.Result table = admin.run("audit", "--action", "user.disable");
        assertThat(table.out())
                .contains("TIME", "ACTOR", "ACTION", "TARGET", "SOURCE", "OUTCOME")
                .contains("user.disable", "cli-bob", "127.0.0.1", "200");

        CliHarness.Result refused = as(member).run("audit");
        assertThat(refused.code()).isEqualTo(dev.hangar.cli.ExitCodes.AUTH);
        assertThat(refused.err()).contains("only admins and auditors");
        CliHarness.Result bad = admin.run("audit", "--since", "soon");
        assertThat(bad.code()).isEqualTo(dev.hangar.cli.ExitCodes.USAGE);
        assertThat(bad.err()).contains("--since");
        assertThat(admin.run("audit", "--action", "nothing.here").err()).contains("No audit entries.");
    }
}
