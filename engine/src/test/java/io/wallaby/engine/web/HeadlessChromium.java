package io.wallaby.engine.web;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The system's Chromium, headless, driven through the system's chromedriver (Debian's {@code chromium} and
 * {@code chromium-driver}). Both paths are given to Selenium, so Selenium Manager never looks for, nor
 * downloads, a browser or a driver. {@code WALLABY_CHROMIUM} and {@code WALLABY_CHROMEDRIVER} name others.
 */
final class HeadlessChromium implements AutoCloseable {

    static final Path BROWSER = Path.of(environment("WALLABY_CHROMIUM", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(environment("WALLABY_CHROMEDRIVER", "/usr/bin/chromedriver"));

    private final ChromeDriver driver;

    private HeadlessChromium(ChromeDriver driver) {
        this.driver = driver;
    }

    /**
     * Skips the calling test, saying how to install them, where the browser or its driver is missing. The reason
     * is printed too: Maven's console counts a skipped test but does not say why.
     */
    static void assumeInstalled() {
        boolean installed = Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
        String reason = "no headless browser: " + (Files.isExecutable(BROWSER) ? "" : BROWSER + " is missing; ")
                + (Files.isExecutable(DRIVER) ? "" : DRIVER + " is missing; ") + "install both with "
                + "'apt-get install -y chromium chromium-driver' (Debian, Ubuntu), or point WALLABY_CHROMIUM and "
                + "WALLABY_CHROMEDRIVER at a Chromium and its chromedriver of the same version";
        if (!installed) {
            System.err.println("Skipping the web view's browser test: " + reason);
        }
        Assumptions.assumeTrue(installed, reason);
    }

    /** A browser whose window is {@code width} by {@code height} pixels; its console is kept for {@link #driver}'s logs. */
    static HeadlessChromium start(int width, int height) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        // --no-sandbox: tests and CI run as root, where Chromium's sandbox refuses to start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=" + width + "," + height, "--hide-scrollbars");
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
        return new HeadlessChromium(new ChromeDriver(service, options));
    }

    ChromeDriver driver() {
        return driver;
    }

    private static String environment(String name, String otherwise) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? otherwise : value;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
