package dev.hangar.testing.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The browser of the dashboard's tests: Debian's {@code chromium}, headless, driven through {@code
 * /usr/bin/chromedriver} by Selenium (no browser or driver download; Selenium Manager is not
 * consulted because both paths are given), with a fresh profile; screenshots go to {@code
 * target/dashboard-screenshots/}. One per test class (its start is most of the wall time). Not
 * thread-safe.
 */
public final class Chromium implements AutoCloseable {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** Where {@link #shot} saves screenshots. */
    public static final Path SHOTS = Path.of("target", "dashboard-screenshots");
    /** How long {@link #waitFor} waits. */
    public static final Duration WAIT = Duration.ofSeconds(20);

    /** Outside text that sets {@code window.pwned} and the title if it ever runs ({@link #assertNothingRan}). */
    public static final String XSS =
            "<script>window.pwned=1;document.title='pwned'</script><img src=x onerror=\"window.pwned=2;document.title='pwned'\">";

    private final WebDriver driver;

    private Chromium(WebDriver driver) {
        this.driver = driver;
    }

    /**
     * Starts headless Chromium with the profile directory {@code profile} (fresh per class).
     *
     * @throws AssertionError naming the packages when chromium or chromedriver is missing
     */
    public static Chromium start(Path profile) throws IOException {
        assertThat(CHROMIUM)
                .withFailMessage(
                        "needs Debian's chromium and chromium-driver: apt-get install chromium chromium-driver")
                .exists();
        assertThat(CHROMEDRIVER).exists();
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments(
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--no-first-run",
                        "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        WebDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1280, 900));
        Files.createDirectories(SHOTS);
        return new Chromium(driver);
    }

    /** @return the Selenium driver */
    public WebDriver driver() {
        return driver;
    }

    /** Saves what the browser shows now as {@code target/dashboard-screenshots/NAME.png}. */
    public void shot(String name) {
        Path shot = SHOTS.resolve(name + ".png");
        try {
            Files.write(shot, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("screenshot: " + shot.toAbsolutePath());
    }

    /** Waits up to {@link #WAIT} for {@code condition}, ignoring elements not (or no longer) there. */
    public void waitFor(BooleanSupplier condition) {
        new WebDriverWait(driver, WAIT)
                .ignoring(StaleElementReferenceException.class)
                .ignoring(NoSuchElementException.class)
                .until(d -> {
                    try {
                        return condition.getAsBoolean();
                    } catch (org.openqa.selenium.WebDriverException e) {
                        // A polled region replaced its HTML between finding a node and reading it:
                        // Chromium says so as an "unknown error" rather than a stale element. Look again.
                        if (String.valueOf(e.getMessage()).contains("does not belong to the document")) return false;
                        throw e;
                    }
                });
    }

    /** Signs in to the dashboard at {@code base} with an API token and waits for the workspaces page. */
    public void signIn(java.net.URI base, String token) {
        driver.manage().deleteAllCookies();
        driver.get(base.resolve("/ui/sign-in").toString());
        driver.findElement(org.openqa.selenium.By.id("token")).sendKeys(token);
        driver.findElement(org.openqa.selenium.By.id("sign-in")).click();
        waitFor(() -> driver.getTitle().startsWith("Workspaces"));
    }

    /**
     * @return the text xterm.js draws on the console page (its DOM renderer's rows, joined without
     *     separators; non-breaking spaces as spaces)
     */
    public String terminalText() {
        Object text = ((org.openqa.selenium.JavascriptExecutor) driver)
                .executeScript("return document.querySelector('#terminal .xterm-rows').textContent;");
        return String.valueOf(text).replace('\u00a0', ' ');
    }

    /** Checks that no {@link #XSS} payload ran on the current page. */
    public void assertNothingRan() {
        Object pwned =
                ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("return window.pwned === undefined;");
        assertThat(pwned).as("the payload did not run").isEqualTo(true);
        assertThat(driver.getTitle()).doesNotContain("pwned");
    }

    @Override
    public void close() {
        driver.quit();
    }
}
