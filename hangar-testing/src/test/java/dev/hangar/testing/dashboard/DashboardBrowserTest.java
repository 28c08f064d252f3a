package dev.hangar.testing.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Role;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.service.CreateWorkspace;
import dev.hangar.testing.TestControlPlane;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The web dashboard in a real browser: Debian's {@code chromium}, headless, driven through {@code
 * /usr/bin/chromedriver} by Selenium (no browser or driver download; Selenium Manager is not
 * consulted because both paths are given). The server is the real one over a real socket, in a
 * {@link TestControlPlane} with the <b>fake provider</b> (workspaces "boot" without any VM), which is
 * what these page tests need; the console's test against a real VM is not part of this class.
 *
 * <p>One browser for the whole class (its start is most of the wall time); each test signs in
 * afresh and saves a screenshot under {@code target/dashboard-screenshots/}.
 */
class DashboardBrowserTest {
    private static final AtomicInteger SEQ = new AtomicInteger();

    /** Sets {@code window.pwned} and the title if it ever runs. */
    static final String XSS = Chromium.XSS;

    @TempDir
    static Path home;

    @TempDir
    static Path profile;

    /** The images page's provider: pulls the tests drive ({@link FakeImages}). */
    private static final FakeImages IMAGES = new FakeImages();

    private static TestControlPlane cp;
    private static Chromium chromium;
    private static WebDriver browser;
    private static TestControlPlane.Credentials member;
    private String testName;

    @BeforeAll
    static void start() throws IOException {
        // A template whose description is an attack: the templates page and the create form show it.
        Files.createDirectories(home.resolve("templates"));
        Files.writeString(home.resolve("templates/xss-fake.yaml"), """
                name: xss-fake
                description: %s
                provider: fake
                image: fake-image
                defaults: {cpus: 1, memoryMiB: 512, diskGiB: 1}
                limits:
                  cpus: {min: 1, max: 8}
                  memoryMiB: {min: 128, max: 16384}
                  diskGiB: {min: 1, max: 100}
                settings: {}
                """.formatted("'" + XSS.replace("'", "''") + "'"));
        // A template offering devices (issue #19): the create form shows a number input per device.
        Files.writeString(home.resolve("templates/gpu-fake.yaml"), """
                name: gpu-fake
                description: a fake workspace with a GPU by default
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
        // The member may attach ST-Link probes (the workspace page's USB section).
        Files.writeString(home.resolve("usb-allow.yaml"), "users:\n  dash-member: [\"0483:*\"]\n");
        cp = TestControlPlane.builder()
                .home(home)
                .reconciler(TestControlPlane.FAST)
                .addProviderFactory(IMAGES)
                .start();
        member = cp.createUser("dash-member", Role.MEMBER);
        chromium = Chromium.start(profile);
        browser = chromium.driver();
    }

    @AfterAll
    static void stop() {
        if (chromium != null) chromium.close();
        if (cp != null) cp.close();
    }

    @BeforeEach
    void name(TestInfo info) {
        testName = info.getTestMethod().orElseThrow().getName();
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    @AfterEach
    void screenshot() {
        shot(testName);
    }

    private static void shot(String name) {
        chromium.shot(name);
    }

    @Test
    void signInListFilterAndSignOut() {
        String ws = unique("list");
        TestControlPlane.Credentials owner = cp.createUser(unique("filter"), Role.MEMBER);
        create(owner.name(), ws);
        String stopped = unique("stopped");
        create(owner.name(), stopped);
        cp.server().workspaces().stop(cp.server().users().find(owner.name()).orElseThrow(), owner.name(), stopped);
        create(TestControlPlane.ADMIN, unique("admins"));
        signIn(cp.admin().token());
        assertThat(browser.getTitle()).startsWith("Workspaces");
        waitFor(() -> rowNames().contains(ws));
        assertThat(browser.findElements(By.cssSelector("#workspaces thead th"))
                        .getFirst()
                        .getText())
                .isEqualTo("Owner");

        // filter by owner and phase
        browser.findElement(By.id("f-owner")).sendKeys(owner.name());
        new Select(browser.findElement(By.id("f-phase"))).selectByValue("Running");
        browser.findElement(By.id("apply-filter")).click();
        waitFor(() -> browser.getCurrentUrl().contains("owner=" + owner.name()));
        waitFor(() -> rowNames().equals(List.of(ws)));
        new Select(browser.findElement(By.id("f-phase"))).selectByValue("Stopped");
        browser.findElement(By.id("apply-filter")).click();
        waitFor(() -> rowNames().equals(List.of(stopped)));
        new Select(browser.findElement(By.id("f-phase"))).selectByValue("Failed");
        browser.findElement(By.id("apply-filter")).click();
        waitFor(() -> browser.findElement(By.id("workspace-rows")).getText().contains("No workspaces match"));

        browser.findElement(By.id("sign-out")).click();
        waitFor(() -> browser.getCurrentUrl().endsWith("/ui/sign-in"));
        browser.get(cp.baseUri().resolve("/").toString());
        assertThat(browser.getCurrentUrl()).contains("/ui/sign-in");
    }

    @Test
    void aMemberSeesOnlyTheirOwnWorkspaces() {
        String mine = unique("mine");
        String theirs = unique("theirs");
        create(member.name(), mine);
        create(TestControlPlane.ADMIN, theirs);
        signIn(member.token());
        waitFor(() -> rowNames().contains(mine));
        assertThat(rowNames()).doesNotContain(theirs);
        assertThat(browser.findElements(By.id("f-owner"))).isEmpty();
        browser.get(cp.baseUri().resolve("/ui/workspaces/admin/" + theirs).toString());
        assertThat(browser.findElement(By.id("message")).getText()).contains("does not exist");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Not found");
    }

    @Test
    void createWithAWrongSizeThenRightWatchItRunStopAndDelete() {
        signIn(member.token());
        String ws = unique("made");
        browser.findElement(By.linkText("New workspace")).click();
        new Select(browser.findElement(By.id("template"))).selectByValue("fake");
        browser.findElement(By.id("use-template")).click();
        waitFor(() -> browser.getCurrentUrl().contains("template=fake"));
        browser.findElement(By.id("name")).sendKeys(ws);
        browser.findElement(By.id("memoryMiB")).sendKeys("99999");
        browser.findElement(By.id("create")).click();

        waitFor(() -> !browser.findElements(By.id("memoryMiB-error")).isEmpty());
        shot(testName + "-wrong-size");
        WebElement error = browser.findElement(By.id("memoryMiB-error"));
        assertThat(error.getText()).contains("memoryMiB 99999 is outside the template's allowed range");
        assertThat(browser.findElement(By.id("memoryMiB")).getAttribute("aria-invalid"))
                .isEqualTo("true");
        assertThat(browser.findElement(By.id("memoryMiB")).getAttribute("aria-describedby"))
                .contains("memoryMiB-error");
        assertThat(browser.findElement(By.id("name")).getAttribute("value")).isEqualTo(ws);
        assertThat(cp.server().store().workspaces().findByName(member.name(), ws))
                .isEmpty();

        // Hold the provider so the page shows the workspace before it runs, then watch it change.
        CountDownLatch gate = new CountDownLatch(1);
        cp.fake().holdApplies(gate);
        try {
            WebElement memory = browser.findElement(By.id("memoryMiB"));
            memory.clear();
            memory.sendKeys("1024");
            browser.findElement(By.id("create")).click();
            waitFor(() -> browser.getCurrentUrl().endsWith("/ui/workspaces/" + member.name() + "/" + ws));
            assertThat(phaseOnPage()).isNotEqualTo("Running");
            ((JavascriptExecutor) browser).executeScript("window.hangarNoReload = 'still the same page';");
        } finally {
            gate.countDown();
            cp.fake().holdApplies(new CountDownLatch(0));
        }
        waitFor(() -> phaseOnPage().equals("Running"));
        assertThat(((JavascriptExecutor) browser).executeScript("return window.hangarNoReload;"))
                .as("the phase changed without a reload")
                .isEqualTo("still the same page");
        assertThat(browser.findElement(By.id("timeline")).getText()).contains("Pending", "Running");
        assertThat(browser.findElement(By.id("vscode")).getAttribute("href"))
                .isEqualTo("vscode://vscode-remote/ssh-remote+" + ws + ".hangar/");
        assertThat(browser.findElement(By.id("ssh-command")).getAttribute("value"))
                .contains("hangar ssh " + ws);
        shot(testName + "-running");

        browser.findElement(By.id("action-stop")).click();
        waitFor(() -> phaseOnPage().equals("Stopped"));
        assertThat(workspace(member.name(), ws).orElseThrow().desired()).isEqualTo(DesiredState.STOPPED);

        browser.findElement(By.id("action-delete")).click();
        assertThat(browser.getTitle()).startsWith("Delete " + ws + "?");
        assertThat(workspace(member.name(), ws)).isPresent();
        browser.findElement(By.id("confirm-delete")).click();
        waitFor(() -> browser.getTitle().startsWith("Workspaces"));
        waitFor(() -> workspace(member.name(), ws).isEmpty());
        waitFor(() -> !rowNames().contains(ws));
    }

    @Test
    void theCreateFormAsksForEachDeviceOfTheTemplateWithinItsRange() {
        signIn(member.token());
        browser.get(cp.baseUri().resolve("/ui/new?template=gpu-fake").toString());
        WebElement gpu = browser.findElement(By.id("device-0"));
        assertThat(browser.findElement(By.cssSelector("label[for=device-0]")).getText())
                .isEqualTo("nvidia.com/gpu");
        assertThat(gpu.getAttribute("type")).isEqualTo("number");
        assertThat(gpu.getAttribute("min")).isEqualTo("0");
        assertThat(gpu.getAttribute("max")).isEqualTo("2");
        assertThat(gpu.getAttribute("placeholder")).isEqualTo("1");
        assertThat(browser.findElement(By.id("device-0-help")).getText()).isEqualTo("0–2, default 1");

        // above the template's maximum: the service's own check, shown next to the device's field
        String ws = unique("gpu");
        browser.findElement(By.id("name")).sendKeys(ws);
        gpu.sendKeys("3");
        browser.findElement(By.id("create")).click();
        waitFor(() -> !browser.findElements(By.id("device-0-error")).isEmpty());
        shot(testName + "-above-max");
        assertThat(browser.findElement(By.id("device-0-error")).getText())
                .isEqualTo("3 is above the template's maximum 2 for nvidia.com/gpu");
        assertThat(browser.findElement(By.id("device-0")).getAttribute("aria-invalid"))
                .isEqualTo("true");
        assertThat(browser.findElement(By.id("device-0")).getAttribute("aria-describedby"))
                .contains("device-0-error");
        assertThat(browser.findElement(By.id("device-0")).getAttribute("value")).isEqualTo("3");
        assertThat(workspace(member.name(), ws)).isEmpty();

        // 0 asks for none of the template's default GPU (its minimum is 0)
        WebElement again = browser.findElement(By.id("device-0"));
        again.clear();
        again.sendKeys("0");
        browser.findElement(By.id("create")).click();
        waitFor(() -> browser.getCurrentUrl().endsWith("/ui/workspaces/" + member.name() + "/" + ws));
        assertThat(workspace(member.name(), ws).orElseThrow().parameters().devices())
                .isEmpty();

        // left empty: the template's default, as in the API
        String dflt = unique("gpu-default");
        browser.get(cp.baseUri().resolve("/ui/new?template=gpu-fake").toString());
        browser.findElement(By.id("name")).sendKeys(dflt);
        browser.findElement(By.id("create")).click();
        waitFor(() -> browser.getCurrentUrl().endsWith("/ui/workspaces/" + member.name() + "/" + dflt));
        assertThat(workspace(member.name(), dflt).orElseThrow().parameters().devices())
                .containsExactly(new dev.hangar.provider.spi.DeviceRequest("nvidia.com/gpu", 1));

        // a template without devices shows no device field
        browser.get(cp.baseUri().resolve("/ui/new?template=fake").toString());
        assertThat(browser.findElements(By.id("device-0"))).isEmpty();
        assertNothingRan();
    }

    @Test
    void addAndRemoveAnSshKey() {
        TestControlPlane.Credentials keyUser = cp.createUser(unique("keys"), Role.MEMBER);
        signIn(keyUser.token());
        browser.findElement(By.linkText("SSH keys")).click();
        browser.findElement(By.id("key")).sendKeys("ssh-rsa not-a-key");
        browser.findElement(By.id("add-key-button")).click();
        waitFor(() -> !browser.findElements(By.id("key-error")).isEmpty());
        assertThat(browser.findElement(By.id("key-error")).getText()).contains("malformed");
        assertThat(cp.server().users().keys(keyUser.name())).isEmpty();

        WebElement key = browser.findElement(By.id("key"));
        key.clear();
        key.sendKeys("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl browser@test");
        browser.findElement(By.id("add-key-button")).click();
        waitFor(() -> browser.findElement(By.id("keys")).getText().contains("browser@test"));
        assertThat(cp.server().users().keys(keyUser.name())).hasSize(1);
        String fingerprint =
                cp.server().users().keys(keyUser.name()).getFirst().key().fingerprint();
        assertThat(browser.findElement(By.id("keys")).getText()).contains(fingerprint);

        browser.findElement(By.cssSelector("#keys button")).click();
        waitFor(() -> browser.findElement(By.id("keys")).getText().contains("No keys yet"));
        assertThat(cp.server().users().keys(keyUser.name())).isEmpty();
    }

    @Test
    void outsideTextIsShownLiterallyAndNeverRuns() {
        String ws = unique("xss");
        User admin = cp.server().users().find(TestControlPlane.ADMIN).orElseThrow();
        cp.fake().failNextApplies(1, true, XSS);
        cp.server().workspaces().create(admin, CreateWorkspace.of(ws, "xss-fake"));
        waitFor(() -> workspace(TestControlPlane.ADMIN, ws)
                .map(w -> w.phase() == Phase.Failed)
                .orElse(false));

        signIn(cp.admin().token());
        // the failure reason in the list
        waitFor(() -> browser.findElement(By.id("workspace-rows")).getText().contains("<script>window.pwned=1"));
        assertNothingRan();
        // the failure reason and the event message on the workspace page
        browser.get(cp.baseUri().resolve("/ui/workspaces/admin/" + ws).toString());
        assertThat(browser.findElement(By.id("reason")).getText()).contains(XSS);
        assertThat(browser.findElement(By.id("events")).getText()).contains(XSS);
        assertThat(browser.findElements(By.cssSelector("main img"))).isEmpty();
        assertNothingRan();
        // the template description on the templates page and in the create form
        browser.findElement(By.linkText("Templates")).click();
        assertThat(browser.findElement(By.id("templates")).getText()).contains(XSS);
        assertNothingRan();
        browser.get(cp.baseUri().resolve("/ui/new?template=xss-fake").toString());
        assertThat(browser.findElement(By.id("template-description")).getText()).isEqualTo(XSS);
        assertNothingRan();
        // an image's description, source and failed pull's error on the images page
        String image = unique("xss-img");
        IMAGES.catalog(image, XSS);
        IMAGES.pull(image);
        IMAGES.fail(image, XSS);
        browser.findElement(By.linkText("Images")).click();
        WebElement imageRow = browser.findElement(By.cssSelector("#images tr[data-name='" + image + "']"));
        assertThat(imageRow.findElement(By.cssSelector(".description")).getText())
                .isEqualTo(XSS);
        assertThat(imageRow.findElement(By.cssSelector(".pull-error")).getText())
                .isEqualTo(XSS);
        assertThat(browser.findElements(By.cssSelector("main img"))).isEmpty();
        assertNothingRan();
        // a lab member's failure reason on the labs list, the lab's page and the member's workspace page
        String lab = unique("xsslab");
        cp.fake().failAppliesOf(lab + "-nodes-1", XSS);
        createLab(cp.adminToken(), lab);
        browser.findElement(By.linkText("Labs")).click();
        By labStatus = By.cssSelector("#labs tr[data-name='" + lab + "'] .lab-state");
        waitFor(() -> browser.findElement(labStatus).getText().contains(XSS));
        assertNothingRan();
        browser.findElement(By.linkText(lab)).click();
        assertThat(browser.findElement(By.id("lab-status")).getText()).contains(XSS);
        assertThat(browser.findElement(By.id("members")).getText()).contains(XSS);
        assertThat(browser.findElements(By.cssSelector("main img"))).isEmpty();
        assertNothingRan();
    }

    @Test
    void aCrossSitePostIsRefused() throws IOException {
        String ws = unique("csrf");
        create(member.name(), ws);
        waitFor(() -> workspace(member.name(), ws)
                .map(w -> w.phase() == Phase.Running)
                .orElse(false));
        signIn(member.token());
        // Another origin (same host, another port: the browser even sends the SameSite cookie there)
        // whose page posts a stop to the dashboard as soon as it loads.
        String target = cp.baseUri()
                .resolve("/ui/workspaces/" + member.name() + "/" + ws + "/stop")
                .toString();
        byte[] attack = ("<!DOCTYPE html><title>attack</title><form id=f method=post action=\"" + target + "\">"
                        + "<input name=csrf value=guessed></form><script>document.getElementById('f').submit()</script>")
                .getBytes(StandardCharsets.UTF_8);
        HttpServer evil = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        evil.createContext("/", ex -> {
            ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            ex.sendResponseHeaders(200, attack.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(attack);
            }
        });
        evil.start();
        try {
            browser.get("http://127.0.0.1:" + evil.getAddress().getPort() + "/");
            waitFor(() -> browser.getCurrentUrl().startsWith(target));
            assertThat(browser.findElement(By.tagName("body")).getText()).contains("refused: a cross-site request");
        } finally {
            evil.stop(0);
        }
        assertThat(workspace(member.name(), ws).orElseThrow().desired()).isEqualTo(DesiredState.RUNNING);
    }

    @Test
    void swaggerUiRendersTheApiDocumentUnderTheStrictPolicy() {
        signIn(member.token());
        browser.findElement(By.linkText("API")).click();
        // Swagger UI's bundle and its initializer (a file, not inline) ran under the CSP and read
        // the server's OpenAPI document: its operations are on the page.
        waitFor(() -> browser.findElements(By.cssSelector(".opblock-summary-path")).stream()
                .anyMatch(e -> e.getText().replace("\u200b", "").equals("/api/v1/workspaces")));
        assertThat(browser.findElement(By.cssSelector(".info .title")).getText())
                .contains("Hangar");
    }

    @Test
    void aNarrowWindowStillShowsTheNavigationAndTheTable() {
        create(member.name(), unique("narrow"));
        signIn(member.token());
        browser.manage().window().setSize(new Dimension(400, 800));
        browser.navigate().refresh();
        assertThat(browser.findElement(By.linkText("SSH keys")).isDisplayed()).isTrue();
        assertThat(browser.findElement(By.id("workspaces")).isDisplayed()).isTrue();
        Object overflow = ((JavascriptExecutor) browser)
                .executeScript("return document.documentElement.scrollWidth <= window.innerWidth + 1;");
        assertThat(overflow)
                .as("the page itself does not scroll sideways (only the table does)")
                .isEqualTo(true);
        for (String page : List.of("Images", "Labs")) {
            browser.findElement(By.linkText(page)).click();
            assertThat(browser.getTitle()).startsWith(page);
            assertThat(((JavascriptExecutor) browser)
                            .executeScript("return document.documentElement.scrollWidth <= window.innerWidth + 1;"))
                    .as("the %s page does not scroll sideways", page)
                    .isEqualTo(true);
        }
    }

    @Test
    void pullAnImageWithAProgressBarAndAnUnknownNameNextToTheField() {
        String image = unique("img");
        IMAGES.catalog(image, "a catalog image the test pulls");
        signIn(member.token());
        browser.findElement(By.linkText("Images")).click();
        assertThat(browser.getTitle()).startsWith("Images");
        assertThat(browser.findElement(By.cssSelector("#images tr[data-name='" + image + "'] .image-state"))
                        .getText())
                .isEqualTo("available");

        // a name the catalog does not know: the provider's reason next to the field, nothing pulled
        browser.findElement(By.id("image-name")).sendKeys("no-such-" + image);
        browser.findElement(By.id("pull-button")).click();
        waitFor(() -> !browser.findElements(By.id("image-name-error")).isEmpty());
        assertThat(browser.findElement(By.id("image-name-error")).getText()).contains("not in the image catalog");
        assertThat(browser.findElement(By.id("image-name")).getAttribute("aria-describedby"))
                .isEqualTo("image-name-error");

        WebElement field = browser.findElement(By.id("image-name"));
        field.clear();
        field.sendKeys(image);
        browser.findElement(By.id("pull-button")).click();
        waitFor(() -> browser.getCurrentUrl().contains("pulling=" + image));
        ((JavascriptExecutor) browser).executeScript("window.hangarNoReload = 'same page';");
        By bar = By.cssSelector("#images tr[data-name='" + image + "'] progress");
        By text = By.cssSelector("#images tr[data-name='" + image + "'] .pull-text");
        assertThat(browser.findElement(bar).isDisplayed()).isTrue();

        long total = 200L * 1024 * 1024;
        IMAGES.progress(image, total / 4, total);
        waitFor(() -> browser.findElement(text).getText().contains("(25%)"));
        assertThat(browser.findElement(bar).getAttribute("value")).isEqualTo(Long.toString(total / 4));
        assertThat(browser.findElement(bar).getAttribute("max")).isEqualTo(Long.toString(total));
        IMAGES.progress(image, total / 2, total);
        waitFor(() -> browser.findElement(text).getText().contains("100.0 MiB of 200.0 MiB (50%)"));
        shot(testName + "-half");
        IMAGES.finish(image, total);
        waitFor(() -> browser.findElement(text).getText().equals("done"));
        assertThat(browser.findElement(By.cssSelector("#images tr[data-name='" + image + "'] .image-state"))
                        .getText())
                .isEqualTo("cached");
        assertThat(((JavascriptExecutor) browser).executeScript("return window.hangarNoReload;"))
                .as("the bar moved without a reload")
                .isEqualTo("same page");
        browser.navigate().refresh();
        assertThat(browser.findElement(By.cssSelector("#images tr[data-name='" + image + "']"))
                        .getText())
                .contains("cached (200 MiB)");
    }

    @Test
    void labsListALabsStatusItsMembersAndItsInventoryAndHideOtherUsersLabs() {
        String lab = unique("lab");
        String theirs = unique("adminlab");
        String failing = lab + "-nodes-2";
        cp.fake().failAppliesOf(failing, XSS);
        createLab(member.token(), lab);
        createLab(cp.adminToken(), theirs);
        signIn(member.token());
        browser.findElement(By.linkText("Labs")).click();
        assertThat(browser.getTitle()).startsWith("Labs");
        By status = By.cssSelector("#labs tr[data-name='" + lab + "'] .lab-state");
        // Degraded, naming the member and its reason (outside text: shown literally, never run)
        waitFor(() -> browser.findElement(status).getText().startsWith("Degraded: " + failing + ": Failed: "));
        assertThat(browser.findElement(status).getText()).contains(XSS).endsWith("(1/2 ready)");
        assertNothingRan();
        assertThat(browser.findElements(By.cssSelector("#labs tr[data-name='" + theirs + "']")))
                .as("another user's lab is not listed")
                .isEmpty();

        browser.findElement(By.linkText(lab)).click();
        assertThat(browser.getTitle()).startsWith("Lab " + lab);
        assertThat(browser.findElement(By.id("members")).getText()).contains(lab + "-nodes-1", failing, XSS);
        assertNothingRan();
        // the inventory download, read by the page's own origin with the session cookie
        Object ini = ((JavascriptExecutor) browser)
                .executeAsyncScript("const done = arguments[arguments.length - 1];"
                        + "fetch(document.getElementById('inventory').href, {credentials: 'same-origin'})"
                        + ".then(r => r.text().then(t => done(r.status + ' ' + r.headers.get('content-disposition') + '\\n' + t)))"
                        + ".catch(e => done('error ' + e));");
        assertThat(ini.toString())
                .startsWith("200 attachment; filename=\"" + lab + "-inventory.ini\"")
                .contains("[nodes]", lab + "-nodes-1", failing);
        shot(testName + "-lab");

        // a member links to its workspace page, which names the lab
        browser.findElement(By.linkText(lab + "-nodes-1")).click();
        assertThat(browser.getTitle()).startsWith("Workspace " + lab + "-nodes-1");
        assertThat(browser.findElement(By.id("lab")).getText()).startsWith(lab);
        browser.findElement(By.cssSelector("#lab a")).click();
        assertThat(browser.getTitle()).startsWith("Lab " + lab);

        // another user's lab by its address: not found, as on the API
        browser.get(cp.baseUri().resolve("/ui/labs/admin/" + theirs).toString());
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Not found");
        browser.get(cp.baseUri()
                .resolve("/ui/labs/admin/" + theirs + "/inventory.ini")
                .toString());
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Not found");
    }

    @Test
    void theWorkspacePageListsUsbAttachmentsAndDetachesOne() {
        String ws = unique("usb");
        create(member.name(), ws);
        String path = "/api/v1/workspaces/" + ws + "/usb/attachments";
        var attached = cp.http()
                .post(
                        path,
                        member.token(),
                        "{\"busid\":\"1-3\",\"vidPid\":\"0483:3748\",\"usbipd\":\"127.0.0.1:3240\"}");
        assertThat(attached.statusCode()).as(attached.body()).isEqualTo(201);
        signIn(member.token());
        browser.get(cp.baseUri()
                .resolve("/ui/workspaces/" + member.name() + "/" + ws)
                .toString());
        WebElement row = browser.findElement(By.cssSelector("#usb tr[data-busid='1-3']"));
        assertThat(row.getText()).contains("1-3", "0483:3748", "127.0.0.1:3240", member.name());
        assertThat(browser.findElement(By.id("lab")).getText()).isEqualTo("none");
        shot(testName + "-attached");
        browser.findElement(By.cssSelector("#usb button[aria-label='Detach USB device 1-3']"))
                .click();
        waitFor(() -> browser.findElement(By.id("usb")).getText().contains("No USB devices attached"));
        assertThat(cp.http().get(path, member.token()).body()).isEqualTo("[]");
    }

    @Test
    void theUsersPageIsForAdminsOnly() {
        TestControlPlane.Credentials auditor = cp.createUser(unique("aud"), Role.AUDITOR);
        signIn(cp.admin().token());
        browser.findElement(By.linkText("Users")).click();
        assertThat(browser.getTitle()).startsWith("Users");
        assertThat(browser.findElement(By.cssSelector("#users tr[data-name='" + auditor.name() + "'] .role"))
                        .getText())
                .isEqualTo("auditor");
        assertThat(browser.findElement(By.cssSelector("#users tr[data-name='admin'] .role"))
                        .getText())
                .isEqualTo("admin");
        shot(testName + "-admin");

        for (TestControlPlane.Credentials who : List.of(member, auditor)) {
            signIn(who.token());
            assertThat(browser.findElements(By.linkText("Users")))
                    .as("no link for " + who.name())
                    .isEmpty();
            browser.get(cp.baseUri().resolve("/ui/users").toString());
            assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Not allowed");
            assertThat(browser.findElements(By.id("users"))).isEmpty();
        }
    }

    private static void createLab(String token, String name) {
        var r = cp.http()
                .post(
                        "/api/v1/labs",
                        token,
                        "{\"name\":\"" + name
                                + "\",\"template\":\"fake\",\"groups\":[{\"name\":\"nodes\",\"count\":2}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    private void assertNothingRan() {
        chromium.assertNothingRan();
    }

    private static void signIn(String token) {
        chromium.signIn(cp.baseUri(), token);
    }

    private static void create(String owner, String name) {
        User u = cp.server().users().find(owner).orElseThrow();
        cp.server().workspaces().create(u, CreateWorkspace.of(name, "fake"));
    }

    private static Optional<Workspace> workspace(String owner, String name) {
        return cp.server().store().workspaces().findByName(owner, name);
    }

    private static List<String> rowNames() {
        return browser.findElements(By.cssSelector("#workspace-rows tr[data-name]")).stream()
                .map(e -> e.getAttribute("data-name"))
                .toList();
    }

    private static String phaseOnPage() {
        return browser.findElement(By.id("phase")).getAttribute("data-phase");
    }

    private static String unique(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) {
        chromium.waitFor(condition);
    }
}
