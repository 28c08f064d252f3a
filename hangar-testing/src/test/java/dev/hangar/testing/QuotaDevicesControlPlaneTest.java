package dev.hangar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.core.domain.Role;
import dev.hangar.core.quota.QuotaLimits;
import dev.hangar.core.quota.QuotaPolicy;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device quotas through the real server over a real socket (issue #19's gaps): the quota view shows
 * device limits and use, an admin's per-user override sets device limits (audited like every quota
 * change), and a create may ask for 0 of a device the template gives by default when the template's
 * minimum is 0, else it is refused naming the minimum.
 */
class QuotaDevicesControlPlaneTest {
    private static final String GPU = "nvidia.com/gpu";

    @TempDir
    Path home;

    private TestControlPlane start() throws IOException {
        Files.createDirectories(home.resolve("templates"));
        Files.writeString(home.resolve("templates/gpu-fake.yaml"), """
                name: gpu-fake
                provider: fake
                image: fake-image
                defaults: {cpus: 1, memoryMiB: 512, diskGiB: 1}
                limits:
                  cpus: {min: 1, max: 8}
                  memoryMiB: {min: 128, max: 16384}
                  diskGiB: {min: 1, max: 100}
                devices:
                  - {name: nvidia.com/gpu, count: 1, min: 0, max: 2}
                """);
        Files.writeString(home.resolve("templates/gpu-required-fake.yaml"), """
                name: gpu-required-fake
                provider: fake
                image: fake-image
                defaults: {cpus: 1, memoryMiB: 512, diskGiB: 1}
                limits:
                  cpus: {min: 1, max: 8}
                  memoryMiB: {min: 128, max: 16384}
                  diskGiB: {min: 1, max: 100}
                devices:
                  - {name: nvidia.com/gpu, count: 1, min: 1, max: 2}
                """);
        return TestControlPlane.builder()
                .home(home)
                .configure(c -> c.withQuotas(
                        new QuotaPolicy(Map.of(Role.MEMBER, QuotaLimits.UNLIMITED.withDevices(Map.of(GPU, 1))))))
                .start();
    }

    private static String create(String name, String template, String devices) {
        return "{\"name\":\"" + name + "\",\"template\":\"" + template + "\""
                + (devices.isEmpty() ? "" : ",\"devices\":" + devices) + "}";
    }

    @Test
    void theQuotaViewShowsDeviceLimitsAndUseAndAnOverrideSetsThem() throws IOException {
        try (TestControlPlane cp = start()) {
            TestHttp http = cp.http();
            String token = cp.createUser("gpu-owner", Role.MEMBER).token();

            JsonNode before = TestHttp.json(http.get("/api/v1/users/me/quota", token));
            assertThat(before.at("/roleLimits/devices").toString())
                    .isEqualTo("[{\"name\":\"nvidia.com/gpu\",\"count\":1}]");
            assertThat(before.at("/effective/devices").toString())
                    .isEqualTo("[{\"name\":\"nvidia.com/gpu\",\"count\":1}]");
            assertThat(before.at("/used").has("devices")).as(before.toString()).isFalse();

            HttpResponse<String> first = http.post("/api/v1/workspaces", token, create("gpu-1", "gpu-fake", ""));
            assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
            JsonNode used = TestHttp.json(http.get("/api/v1/users/me/quota", token));
            assertThat(used.at("/used/devices").toString()).isEqualTo("[{\"name\":\"nvidia.com/gpu\",\"count\":1}]");

            HttpResponse<String> second = http.post("/api/v1/workspaces", token, create("gpu-2", "gpu-fake", ""));
            assertThat(second.statusCode()).as(second.body()).isEqualTo(409);
            assertThat(TestHttp.json(second).get("field").asText()).isEqualTo("devices.nvidia.com/gpu");

            // 0 of the template's default device (its min is 0): a workspace without a GPU, not counted
            HttpResponse<String> none = http.post(
                    "/api/v1/workspaces",
                    token,
                    create("no-gpu", "gpu-fake", "[{\"name\":\"nvidia.com/gpu\",\"count\":0}]"));
            assertThat(none.statusCode()).as(none.body()).isEqualTo(201);
            assertThat(TestHttp.json(none).has("devices")).as(none.body()).isFalse();
            // ... refused naming the minimum where the template requires one
            HttpResponse<String> required = http.post(
                    "/api/v1/workspaces",
                    token,
                    create("no-gpu-2", "gpu-required-fake", "[{\"name\":\"nvidia.com/gpu\",\"count\":0}]"));
            assertThat(required.statusCode()).as(required.body()).isEqualTo(422);
            assertThat(TestHttp.json(required).get("field").asText()).isEqualTo("devices[0].count");
            assertThat(TestHttp.json(required).get("detail").asText())
                    .isEqualTo("devices[0].count: 0 is below the template's minimum 1 for nvidia.com/gpu");
            HttpResponse<String> negative = http.post(
                    "/api/v1/workspaces",
                    token,
                    create("no-gpu-3", "gpu-fake", "[{\"name\":\"nvidia.com/gpu\",\"count\":-1}]"));
            assertThat(negative.statusCode()).as(negative.body()).isEqualTo(422);
            assertThat(TestHttp.json(negative).get("field").asText()).isEqualTo("devices[0].count");

            // an admin raises the member's GPU limit to 2; the other fields stay the role's
            HttpResponse<String> set = http.send(
                    "PUT",
                    "/api/v1/users/gpu-owner/quota",
                    cp.adminToken(),
                    "{\"devices\":[{\"name\":\"nvidia.com/gpu\",\"count\":2}]}");
            assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
            JsonNode q = TestHttp.json(set);
            assertThat(q.at("/override/devices").toString()).isEqualTo("[{\"name\":\"nvidia.com/gpu\",\"count\":2}]");
            assertThat(q.at("/effective/devices").toString()).isEqualTo("[{\"name\":\"nvidia.com/gpu\",\"count\":2}]");
            assertThat(q.at("/override/running").isNull()).isTrue();
            assertThat(TestHttp.json(http.get("/api/v1/users/gpu-owner/quota", token)))
                    .isEqualTo(q);
            JsonNode audit = TestHttp.json(http.get("/api/v1/audit?action=quota.set", cp.adminToken()));
            assertThat(audit)
                    .extracting(e -> e.get("actor").asText() + " "
                            + e.get("target").asText() + " " + e.get("outcome").asText())
                    .containsExactly("admin gpu-owner 200");

            assertThat(http.post("/api/v1/workspaces", token, create("gpu-2", "gpu-fake", ""))
                            .statusCode())
                    .isEqualTo(201);
            HttpResponse<String> third = http.post("/api/v1/workspaces", token, create("gpu-3", "gpu-fake", ""));
            assertThat(third.statusCode()).as(third.body()).isEqualTo(409);
            assertThat(TestHttp.json(third).get("detail").asText())
                    .isEqualTo("quota: devices nvidia.com/gpu 2 of 2, 1 more requested (per-user override);"
                            + " stop one or ask an admin");

            // malformed device limits name the entry; nothing changes
            for (String[] bad : new String[][] {
                {"[{\"name\":\"gpu\",\"count\":1}]", "devices[0].name"},
                {"[{\"name\":\"nvidia.com/gpu\",\"count\":-1}]", "devices[0].count"},
                {"[{\"name\":\"nvidia.com/gpu\"}]", "devices[0].count"},
                {
                    "[{\"name\":\"nvidia.com/gpu\",\"count\":1},{\"name\":\"nvidia.com/gpu\",\"count\":2}]",
                    "devices[1].name"
                }
            }) {
                HttpResponse<String> r = http.send(
                        "PUT", "/api/v1/users/gpu-owner/quota", cp.adminToken(), "{\"devices\":" + bad[0] + "}");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
                assertThat(TestHttp.json(r).get("field").asText()).isEqualTo(bad[1]);
            }
            assertThat(TestHttp.json(http.get("/api/v1/users/gpu-owner/quota", token))
                            .at("/override/devices")
                            .toString())
                    .isEqualTo("[{\"name\":\"nvidia.com/gpu\",\"count\":2}]");

            // an empty override removes it: the role's 1 applies again
            HttpResponse<String> cleared = http.send("PUT", "/api/v1/users/gpu-owner/quota", cp.adminToken(), "{}");
            assertThat(TestHttp.json(cleared).get("override").isNull()).isTrue();
            assertThat(TestHttp.json(cleared).at("/effective/devices").toString())
                    .isEqualTo("[{\"name\":\"nvidia.com/gpu\",\"count\":1}]");
            assertThat(TestHttp.json(cleared).at("/used/devices").toString())
                    .isEqualTo("[{\"name\":\"nvidia.com/gpu\",\"count\":2}]");
        }
    }
}
