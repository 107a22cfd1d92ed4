package io.wallaby.bench;

import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The engine's web view open in the system's headless Chromium, as someone watching the engine would have it:
 * the page polls /status once a second for as long as this is open. For {@code --watch page}, which measures
 * what watching costs the engine. Chromium and its driver are the Debian packages' ({@code apt-get install -y
 * chromium chromium-driver}); both paths are given to Selenium, which therefore downloads nothing.
 */
final class WebViewWatcher implements AutoCloseable {

    private static final Path BROWSER = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration FIRST_UPDATE = Duration.ofSeconds(30);

    private final ChromeDriver driver;

    private WebViewWatcher(ChromeDriver driver) {
        this.driver = driver;
    }

    /** Opens http://127.0.0.1:{@code adminPort}/ and returns once the page has shown its first /status. */
    static WebViewWatcher open(int adminPort) throws InterruptedException {
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
            throw new IllegalStateException("--watch page opens the web view in " + BROWSER + " through " + DRIVER
                    + ", and one of them is missing: apt-get install -y chromium chromium-driver");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1700");
        ChromeDriver driver = new ChromeDriver(new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER.toString())).usingAnyFreePort().build(), options);
        WebViewWatcher watcher = new WebViewWatcher(driver);
        try {
            driver.get("http://127.0.0.1:" + adminPort + "/");
            long deadline = System.nanoTime() + FIRST_UPDATE.toNanos();
            while (watcher.updates() < 1) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the web view showed no /status within " + FIRST_UPDATE);
                }
                Thread.sleep(100);
            }
            return watcher;
        } catch (RuntimeException | InterruptedException e) {
            watcher.close();
            throw e;
        }
    }

    /** How many /status answers the page has shown so far. */
    int updates() {
        String updates = driver.findElement(By.tagName("body")).getAttribute("data-updates");
        return updates == null ? 0 : Integer.parseInt(updates);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
