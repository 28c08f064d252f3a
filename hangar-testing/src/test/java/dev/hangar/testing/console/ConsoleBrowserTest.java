package dev.hangar.testing.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.testing.dashboard.Chromium;
import java.io.IOException;
import java.nio.file.Path;
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
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;

/**
 * The dashboard's browser console in real Chromium ({@link Chromium}) against the real server over
 * a real socket: {@link ConsoleFixture}'s control plane, whose {@code dev} workspace runs on the
 * fake provider with an emulated serial console ({@link SerialConsoleEmulator} on a real unix
 * socket; no VM boots here: {@code LocalVmWorkspaceIT} opens a real VM's console in the browser).
 * xterm.js, the page's script and the WebSocket run as a user's would, under the page's CSP.
 */
class ConsoleBrowserTest {
    @TempDir
    static Path profile;

    private static Chromium chromium;
    private static WebDriver browser;
    private ConsoleFixture f;
    private String testName;

    @BeforeAll
    static void startBrowser() throws IOException {
        chromium = Chromium.start(profile);
        browser = chromium.driver();
    }

    @AfterAll
    static void stopBrowser() {
        if (chromium != null) chromium.close();
    }

    @BeforeEach
    void start(TestInfo info) throws IOException {
        testName = "console-" + info.getTestMethod().orElseThrow().getName();
        browser.manage().window().setSize(new Dimension(1280, 900));
        f = new ConsoleFixture();
    }

    @AfterEach
    void stop() throws IOException {
        try {
            chromium.shot(testName);
            browser.get("about:blank"); // closes the page's WebSocket before its server goes
        } finally {
            f.close();
        }
    }

    @Test
    void guestTextIsDrawnByXtermNeverRunAndTypingAndPasteReachTheGuest() throws IOException {
        openConsole("alice", "dev");
        f.emulator.say("Debian GNU/Linux 12 dev ttyS0\r\n" + Chromium.XSS + "\r\n");
        chromium.waitFor(() -> screen().contains("<script>window.pwned=1"));
        assertThat(screen()).contains("Debian GNU/Linux 12 dev ttyS0", "<img src=x onerror=");
        assertThat(browser.findElements(By.cssSelector("#terminal img, #terminal script")))
                .isEmpty();
        chromium.assertNothingRan();

        // Keystrokes: the emulated guest echoes them and answers Enter (CR) with a login prompt.
        keyboard().sendKeys("root");
        chromium.waitFor(() -> f.emulator.received().endsWith("root"));
        keyboard().sendKeys(Keys.ENTER);
        chromium.waitFor(() -> screen().contains(SerialConsoleEmulator.PROMPT.strip()));
        assertThat(screen()).contains("root");
        assertThat(f.emulator.received()).isEqualTo("root\r");

        // A paste (as the browser delivers one) goes to the guest as typed text.
        ((JavascriptExecutor) browser).executeScript("""
                const dt = new DataTransfer();
                dt.setData('text/plain', 'pasted-text');
                arguments[0].dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
                """, keyboard());
        chromium.waitFor(() -> f.emulator.received().contains("pasted-text"));
        chromium.waitFor(() -> screen().contains("pasted-text"));
        chromium.assertNothingRan();
    }

    @Test
    void reconnectsAfterTheServerClosesTheSocketAndFitsTheWindow() throws IOException {
        openConsole("alice", "dev");
        int wide = Integer.parseInt(terminal().getAttribute("data-cols"));
        browser.manage().window().setSize(new Dimension(700, 900));
        chromium.waitFor(() -> Integer.parseInt(terminal().getAttribute("data-cols")) < wide);

        f.emulator.hangUp(); // the "VM" went away: the server closes the WebSocket (1000)
        chromium.waitFor(() -> screen().contains("[console disconnected: 1000"));
        chromium.waitFor(() -> f.emulator.connections() == 2);
        chromium.waitFor(() -> status().equals("connected"));
        keyboard().sendKeys("again");
        chromium.waitFor(() -> screen().contains("again"));
        assertThat(f.emulator.received()).endsWith("again");
    }

    @Test
    void aKindWithoutAConsoleSaysWhyAndAnotherUsersConsoleIsNotFound() {
        signIn(f.alice.token());
        browser.get(f.cp.baseUri().resolve("/ui/workspaces/alice/pod/console").toString());
        assertThat(browser.findElement(By.id("console-unavailable")).getText()).contains("has no serial console");
        assertThat(browser.findElements(By.id("terminal"))).isEmpty();
        chromium.shot(testName + "-no-console");

        signIn(f.bob.token());
        browser.get(f.cp.baseUri().resolve("/ui/workspaces/alice/dev/console").toString());
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Not found");
        assertThat(browser.findElements(By.id("terminal"))).isEmpty();
    }

    /** Signs in, opens the workspace page, follows its console link and waits until connected. */
    private void openConsole(String owner, String name) {
        signIn(f.alice.token());
        browser.get(
                f.cp.baseUri().resolve("/ui/workspaces/" + owner + "/" + name).toString());
        browser.findElement(By.id("open-console")).click();
        chromium.waitFor(() -> browser.getTitle().startsWith("Console of " + name));
        chromium.waitFor(() -> status().equals("connected"));
    }

    private void signIn(String token) {
        chromium.signIn(f.cp.baseUri(), token);
    }

    private org.openqa.selenium.WebElement terminal() {
        return browser.findElement(By.id("terminal"));
    }

    /** xterm.js's input element: where the browser sends keystrokes and pastes. */
    private org.openqa.selenium.WebElement keyboard() {
        return browser.findElement(By.cssSelector("#terminal .xterm-helper-textarea"));
    }

    private String status() {
        return browser.findElement(By.id("console-status")).getAttribute("data-state");
    }

    private String screen() {
        return chromium.terminalText();
    }
}
