package dev.hangar.testing.usb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.api.EventView;
import dev.hangar.api.UsbAttachmentView;
import dev.hangar.testing.TestControlPlane;
import dev.hangar.testing.TestHttp;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/v1/workspaces/{name}/usb/attachments} over a real socket against the real server:
 * the USB policy (template {@code usb.allow} plus the per-user {@code usb-allow.yaml}), the audit
 * events and the edge validation of bodies.
 */
class UsbRoutesTest {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static TestControlPlane cp;
    private static TestHttp http;
    private static TestControlPlane.Credentials ann;
    private static TestControlPlane.Credentials bob;

    @BeforeAll
    static void start() throws IOException {
        Path home = Files.createTempDirectory("hangar-usb-routes-");
        // A template of the fake provider that allows ST-Link devices only.
        Files.createDirectories(home.resolve("templates"));
        Files.writeString(
                home.resolve("templates/stlink.yaml"),
                "name: stlink\nprovider: fake\nimage: test\nusb: {allow: [\"0483:3748\"]}\n");
        // bob may also attach any Segger J-Link.
        Files.writeString(home.resolve("usb-allow.yaml"), "users:\n  bob: [\"1366:*\"]\n");
        cp = TestControlPlane.builder().home(home).start();
        http = cp.http();
        ann = cp.createUser("ann", false);
        bob = cp.createUser("bob", false);
    }

    @AfterAll
    static void stop() throws IOException {
        Path home = cp.home();
        cp.close();
        try (var walk = Files.walk(home)) {
            walk.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    private static String workspace(TestControlPlane.Credentials who) {
        String name = "fw-" + SEQ.incrementAndGet();
        HttpResponse<String> r =
                http.post("/api/v1/workspaces", who.token(), "{\"name\":\"" + name + "\",\"template\":\"stlink\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return name;
    }

    private static String path(String ws) {
        return "/api/v1/workspaces/" + ws + "/usb/attachments";
    }

    private static List<EventView> events(TestControlPlane.Credentials who, String ws) {
        HttpResponse<String> r = http.get("/api/v1/workspaces/" + ws + "/events", who.token());
        return Arrays.asList(TestHttp.read(r, EventView[].class));
    }

    @Test
    void anAllowedDeviceIsRecordedListedAndDetachedWithEvents() {
        String ws = workspace(ann);
        HttpResponse<String> r = http.post(
                path(ws), ann.token(), "{\"busid\":\"1-3\",\"vidPid\":\"0483:3748\",\"usbipd\":\"127.0.0.1:3240\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(r.headers().firstValue("Location")).hasValue(path(ws) + "/1-3");
        UsbAttachmentView a = TestHttp.read(r, UsbAttachmentView.class);
        assertThat(a.busid()).isEqualTo("1-3");
        assertThat(a.vidPid()).isEqualTo("0483:3748");
        assertThat(a.usbipd()).isEqualTo("127.0.0.1:3240");
        assertThat(a.actor()).isEqualTo("ann");

        UsbAttachmentView[] listed = TestHttp.read(http.get(path(ws), ann.token()), UsbAttachmentView[].class);
        assertThat(listed).extracting(UsbAttachmentView::busid).containsExactly("1-3");

        assertThat(http.delete(path(ws) + "/1-3", ann.token()).statusCode()).isEqualTo(204);
        // idempotent
        assertThat(http.delete(path(ws) + "/1-3", ann.token()).statusCode()).isEqualTo(204);
        assertThat(TestHttp.read(http.get(path(ws), ann.token()), UsbAttachmentView[].class))
                .isEmpty();

        List<EventView> usb = events(ann, ws).stream()
                .filter(e -> e.type().startsWith("usb-"))
                .toList();
        assertThat(usb).extracting(EventView::type).containsExactly("usb-attach", "usb-detach");
        assertThat(usb.get(0).message())
                .startsWith("busid=1-3 vidPid=0483:3748 usbipd=127.0.0.1:3240 attached by ann")
                .contains("template stlink entry 0483:3748");
        assertThat(usb.get(1).actor()).isEqualTo("ann");
    }

    @Test
    void aDeviceOutsideTheListsIsA403NamingItAndWhereToAllowItAndADeniedEvent() {
        String ws = workspace(ann);
        HttpResponse<String> r = http.post(path(ws), ann.token(), "{\"busid\":\"2-1.4\",\"vidPid\":\"1366:0105\"}");
        JsonNode p = problem(r, 403, "");
        assertThat(p.path("detail").asText())
                .contains("1366:0105")
                .contains("'1366:*'")
                .contains("usb.allow")
                .contains("usb-allow.yaml");
        assertThat(TestHttp.read(http.get(path(ws), ann.token()), UsbAttachmentView[].class))
                .isEmpty();
        assertThat(events(ann, ws))
                .filteredOn(e -> e.type().equals("usb-denied"))
                .singleElement()
                .satisfies(e -> assertThat(e.message())
                        .startsWith("busid=2-1.4 vidPid=1366:0105 usbipd=127.0.0.1:3240 denied"));
    }

    @Test
    void theUsersOwnListAddsToTheTemplate() {
        String ws = workspace(bob);
        HttpResponse<String> r = http.post(path(ws), bob.token(), "{\"busid\":\"2-1\",\"vidPid\":\"1366:0105\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(events(bob, ws))
                .filteredOn(e -> e.type().equals("usb-attach"))
                .singleElement()
                .satisfies(e -> assertThat(e.message()).contains("user bob entry 1366:*"));
    }

    @Test
    void anotherUsersWorkspaceIsNotFound() {
        String ws = workspace(bob);
        HttpResponse<String> r = http.post(path(ws), ann.token(), "{\"busid\":\"1-3\",\"vidPid\":\"0483:3748\"}");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(http.get(path(ws), ann.token()).statusCode()).isEqualTo(404);
    }

    @Test
    void malformedBodiesAre400sNamingTheField() {
        String ws = workspace(ann);
        problem(http.post(path(ws), ann.token(), "{\"busid\":\"1-3;reboot\",\"vidPid\":\"0483:3748\"}"), 400, "busid");
        problem(http.post(path(ws), ann.token(), "{\"vidPid\":\"0483:3748\"}"), 400, "busid");
        problem(http.post(path(ws), ann.token(), "{\"busid\":\"1-3\",\"vidPid\":\"483:3748\"}"), 400, "vidPid");
        problem(http.post(path(ws), ann.token(), "{\"busid\":\"1-3\"}"), 400, "vidPid");
        problem(
                http.post(path(ws), ann.token(), "{\"busid\":\"1-3\",\"vidPid\":\"0483:3748\",\"usbipd\":\"a b\"}"),
                400,
                "usbipd");
        problem(http.post(path(ws), ann.token(), "{\"busid\":\"1-3\",\"vidPid\":\"0483:3748\",\"x\":1}"), 400, "x");
        problem(http.delete(path(ws) + "/not-a-bus", ann.token()), 400, "busid");
        assertThat(events(ann, ws)).noneMatch(e -> e.type().startsWith("usb-"));
    }

    private static JsonNode problem(HttpResponse<String> r, int status, String field) {
        assertThat(r.statusCode()).as("status of %s", r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode p = TestHttp.json(r);
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("detail").asText()).isNotBlank();
        assertThat(p.path("field").asText()).as("field in %s", r.body()).isEqualTo(field);
        return p;
    }
}
