package io.wallaby.engine.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wallaby.apps.AlertStateless;
import io.wallaby.engine.EngineConfig;
import io.wallaby.engine.EngineServer;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web view in a real browser: the system's headless Chromium opens the engine's admin port while a source
 * and a sink connector run a pipeline through it. The page must name the connectors and streams, its
 * throughput curve must move (more points, a different drawing), and a stream whose sink never commits must
 * be marked stuck while the other is not. Every wait is on a condition the page shows, never on time. The
 * screenshot is left in {@code target/web-view/page.png}. Skipped, with the command that installs them,
 * where Chromium or chromedriver is missing.
 */
class WebViewBrowserTest {

    private static final String FLOWING = "transactions";
    private static final String STALLED = "refunds";
    private static final Path SCREENSHOT = Path.of("target/web-view/page.png");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void thePageShowsTheRunningPipelineAndItsCurvesMove() throws Exception {
        HeadlessChromium.assumeInstalled();
        try (EngineServer engine = new EngineServer(EngineConfig.onFreePorts().withAdminPort(0),
                new AlertStateless()).start();
             RunningPipeline pipeline = RunningPipeline.start(engine.sourcePort(), engine.sinkPort(), FLOWING, STALLED);
             HeadlessChromium chromium = HeadlessChromium.start(1400, 1700)) {
            ChromeDriver driver = chromium.driver();
            driver.get("http://127.0.0.1:" + engine.adminPort() + "/");
            // Long enough for a stream to be found stuck (5 s) on a busy machine; every wait ends as soon as it holds.
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(40), Duration.ofMillis(100));
            // The page redraws its pipeline every second: the helpers read it in one script each, which the page's
            // own redraw cannot interrupt, so no element they hold goes stale.

            // The picture: both connectors and all four streams, by name.
            wait.withMessage("the connectors' names").until(d -> titles(d, "source-connectors")
                    .contains(RunningPipeline.SOURCE_PROGRAM + "/" + RunningPipeline.SOURCE_INSTANCE)
                    && titles(d, "sink-connectors").contains(RunningPipeline.SINK_PROGRAM + "/"
                    + RunningPipeline.SINK_INSTANCE));
            wait.withMessage("the streams' names").until(d -> titles(d, "source-streams").containsAll(List.of(FLOWING,
                    STALLED)) && titles(d, "sink-streams").containsAll(List.of("alert_log/" + FLOWING,
                    "alert_log/" + STALLED)));

            // The throughput curve moves: a per-second rate of the flowing stream above zero, then more points and
            // another drawing.
            WebElement throughput = driver.findElement(By.id("chart-throughput"));
            wait.withMessage("a rate on the throughput curve").until(d -> latest(throughput, "in: " + FLOWING) > 0
                    && latest(throughput, "out: alert_log/" + FLOWING) > 0);
            int pointsBefore = points(throughput);
            String drawnBefore = drawing(driver, throughput);
            wait.withMessage("the throughput curve to move").until(d -> points(throughput) > pointsBefore
                    && !drawing(driver, throughput).equals(drawnBefore));

            // The stream whose alerts are never committed stands out; the other does not.
            wait.withMessage("the stalled streams marked stuck").until(d -> isStuck(d, "source-streams", STALLED)
                    && isStuck(d, "sink-streams", "alert_log/" + STALLED));
            assertFalse(isStuck(driver, "source-streams", FLOWING), "the flowing stream is not stuck");
            assertFalse(isStuck(driver, "sink-streams", "alert_log/" + FLOWING), "its sink stream is not stuck");
            assertTrue(cardText(driver, "source-streams", STALLED).contains("stuck"));
            // Its lag curve shows the messages waiting for acknowledgement.
            WebElement lag = driver.findElement(By.id("chart-lag"));
            wait.withMessage("the stalled stream's lag").until(d -> latest(lag, STALLED) > 0);

            assertTrue(driver.findElement(By.id("page-error")).getAttribute("hidden") != null,
                    () -> "the page reported an error: " + driver.findElement(By.id("page-error")).getText());
            List<LogEntry> severe = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
            assertEquals(List.of(), severe.stream().map(LogEntry::getMessage).toList(), "errors in the console");
            assertNull(pipeline.failure(), "the connectors of the pipeline failed");

            Files.createDirectories(SCREENSHOT.getParent());
            Files.write(SCREENSHOT, driver.getScreenshotAs(OutputType.BYTES));
        }
    }

    /**
     * A cluster as the page draws it. No cluster runs here (that needs Kafka, and ClusterView has its own tests):
     * the page's fetch is wrapped before its scripts run, so that the engine's real /status reaches it with a
     * {@code cluster} of two members and two partitions without an engine added.
     */
    @Test
    void aClusterShowsItsMembersAndWhoServesWhichPartition() throws Exception {
        HeadlessChromium.assumeInstalled();
        try (EngineServer engine = new EngineServer(EngineConfig.onFreePorts().withAdminPort(0),
                new AlertStateless()).start();
             HeadlessChromium chromium = HeadlessChromium.start(1400, 1200)) {
            ChromeDriver driver = chromium.driver();
            driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", """
                    const engineFetch = window.fetch;
                    window.fetch = async (...args) => {
                      const status = await (await engineFetch(...args)).json();
                      status.cluster = {name: 'demo', kafka: '127.0.0.1:9092', self: '127.0.0.1:7101', partitions: 6,
                        owned: [0, 3], unowned: [2, 5], unownedForSeconds: 3.5, revocations: 0,
                        directoryAgeSeconds: 1.0, members: [
                          {address: '127.0.0.1:7101', sinkPort: 7201, adminPort: 7301, partitions: [0, 3]},
                          {address: '127.0.0.1:7102', sinkPort: 7202, adminPort: 7302, partitions: [1, 4]}]};
                      return new Response(JSON.stringify(status), {headers: {'Content-Type': 'application/json'}});
                    };
                    """));
            driver.get("http://127.0.0.1:" + engine.adminPort() + "/");
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20), Duration.ofMillis(100));
            wait.withMessage("the cluster section").until(d -> !(Boolean) script(d,
                    "return document.getElementById('cluster').hidden"));

            assertEquals("serves 2 of 6 partitions; 2 without one for 3.5 s.", script(driver,
                    "return document.getElementById('cluster-summary').textContent.replace(/^.* and /, '')"));
            assertEquals(List.of("mine", "", "unowned", "mine", "", "unowned"), script(driver, "return [...document"
                    + ".querySelectorAll('#partitions .partition')].map(p => p.classList.contains('mine') ? 'mine'"
                    + " : p.classList.contains('unowned') ? 'unowned' : '')"));
            assertEquals(List.of("127.0.0.1:7101 (this engine)|7201|web view|0, 3",
                    "127.0.0.1:7102|7202|web view|1, 4"), script(driver, "return [...document.querySelectorAll("
                    + "'#members tbody tr')].map(tr => [...tr.cells].map(td => td.textContent).join('|'))"));
            assertEquals("http://127.0.0.1:7302/", script(driver,
                    "return document.querySelectorAll('#members tbody tr')[1].querySelector('a').href"));
            assertTrue((Boolean) script(driver, "return document.getElementById('page-error').hidden"),
                    () -> "the page reported an error: " + script(driver,
                            "return document.getElementById('page-error').textContent"));
        }
    }

    /** The card titles of a column of the pipeline picture (connector and stream names), without stuck labels. */
    @SuppressWarnings("unchecked")
    private static List<String> titles(WebDriver driver, String column) {
        return (List<String>) script(driver, "return [...document.querySelectorAll('#' + arguments[0] + ' .card .title')]"
                + ".map(title => title.firstChild.textContent)", column);
    }

    /** Whether the card of {@code name} is drawn stuck: its class and its label. */
    private static boolean isStuck(WebDriver driver, String column, String name) {
        return (Boolean) script(driver, "const card = [...document.querySelectorAll('#' + arguments[0] + ' .card')]"
                + ".find(c => c.dataset.name === arguments[1]);"
                + "return !!card && card.classList.contains('stuck') && card.querySelector('.stuck-label') !== null",
                column, name);
    }

    private static String cardText(WebDriver driver, String column, String name) {
        Object text = script(driver, "const card = [...document.querySelectorAll('#' + arguments[0] + ' .card')]"
                + ".find(c => c.dataset.name === arguments[1]); return card ? card.textContent : null", column, name);
        if (text == null) {
            throw new AssertionError("no card " + name + " in " + column);
        }
        return (String) text;
    }

    private static Object script(WebDriver driver, String script, Object... arguments) {
        return ((JavascriptExecutor) driver).executeScript(script, arguments);
    }

    private static int points(WebElement chart) {
        String points = chart.getAttribute("data-points");
        return points == null ? 0 : Integer.parseInt(points);
    }

    /** The newest value of one series of a chart; 0 while it has none. */
    private static double latest(WebElement chart, String series) {
        String latest = chart.getAttribute("data-latest");
        if (latest == null) {
            return 0;
        }
        try {
            JsonNode value = JSON.readTree(latest).get(series);
            return value == null || value.isNull() ? 0 : value.asDouble();
        } catch (java.io.IOException e) {
            throw new AssertionError("data-latest is not JSON: " + latest, e);
        }
    }

    /**
     * What the chart's canvas shows now, as a PNG data URL. The figures are the page's own, never redrawn, so
     * {@code chart} stays valid; the canvas in it is looked up afresh.
     */
    private static String drawing(WebDriver driver, WebElement chart) {
        return (String) script(driver, "return arguments[0].querySelector('canvas').toDataURL()", chart);
    }
}
