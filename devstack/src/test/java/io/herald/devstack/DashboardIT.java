package io.herald.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dashboard end to end in headless Chromium: Debian's {@code chromium} driven by Playwright's {@code
 * playwright-core} (installed by {@code npm ci} into {@code target/dashboard-e2e}), against a whole dev stack.
 * The script is {@code src/test/e2e/dashboard.e2e.mjs}; its screenshot is kept at {@code
 * target/dashboard-e2e/dashboard.png}. Skipped, saying why, where Node.js or Chromium is missing; CI installs
 * both.
 */
@ExtendWith(SharedDevStack.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DashboardIT {

    private static final Path WORK = Path.of("target", "dashboard-e2e");
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("HERALD_CHROMIUM", "/usr/bin/chromium"));

    private static DevStack stack;

    @BeforeAll
    static void useTheSharedStack(DevStack shared) {
        stack = shared;
    }

    @Test
    void theDashboardServesItsPageAndKeepsTheApiKeyOnLoopback() throws Exception {
        try (var http = HttpClient.newHttpClient()) {
            var page = http.send(
                    HttpRequest.newBuilder(URI.create(stack.dashboardUrl())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(page.body()).contains("Herald", "app.js");
            var missing = http.send(
                    HttpRequest.newBuilder(URI.create(stack.dashboardUrl() + "etc/passwd"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(missing.statusCode()).isEqualTo(404);
            // Only the gateway's CORS list lets the page's origin in; another origin is refused.
            var preflight = http.send(
                    HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/v1/events"))
                            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                            .header("Origin", "http://evil.example")
                            .header("Access-Control-Request-Method", "POST")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(preflight.statusCode()).isEqualTo(403);
        }
        assertThat(URI.create(stack.dashboardUrl()).getHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void aNewUserSeesANotificationArriveOnThePage() throws Exception {
        assumeThat(Files.isExecutable(CHROMIUM))
                .as("Chromium at %s (apt-get install chromium, or set HERALD_CHROMIUM)", CHROMIUM)
                .isTrue();
        assumeThat(run(Path.of("."), Duration.ofSeconds(20), "node", "--version")
                        .exit())
                .as("Node.js on the PATH")
                .isZero();
        Files.createDirectories(WORK);
        for (String file : List.of("package.json", "package-lock.json", "dashboard.e2e.mjs")) {
            Files.copy(Path.of("src", "test", "e2e", file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(WORK.resolve("node_modules").resolve("playwright-core"))) {
            Result install = run(WORK, Duration.ofMinutes(5), "npm", "ci", "--no-audit", "--no-fund");
            assertThat(install.exit()).as("npm ci:\n%s", install.output()).isZero();
        }
        Path screenshot = WORK.resolve("dashboard.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);

        Result e2e = run(
                WORK, Duration.ofMinutes(4), "node", "dashboard.e2e.mjs", stack.dashboardUrl(), screenshot.toString());

        System.out.println(e2e.output());
        assertThat(e2e.exit()).as("the browser run:\n%s", e2e.output()).isZero();
        assertThat(e2e.output()).contains("all steps passed");
        byte[] png = Files.readAllBytes(screenshot);
        assertThat(png.length).isGreaterThan(10_000);
        assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }

    private record Result(int exit, String output) {}

    private static Result run(Path directory, Duration limit, String... command)
            throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            return new Result(127, e.getMessage());
        }
        var output = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                output.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                output.append(e);
            }
        });
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            reader.join(5_000);
            return new Result(-1, output + "\n(killed after " + limit + ")");
        }
        reader.join(5_000);
        return new Result(process.exitValue(), output.toString());
    }
}
