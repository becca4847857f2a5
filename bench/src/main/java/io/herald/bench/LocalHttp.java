package io.herald.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** What the benchmarks ask of the servers they start on this machine: a free port, a page, that one is up. */
final class LocalHttp {

    private LocalHttp() {}

    /** A port free a moment ago, for a server to take (another process may take it first: rare enough here). */
    static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The body of {@code GET url}, whatever its status; 30 s at most. */
    static String get(String url) throws IOException, InterruptedException {
        // HTTP/1.1: Node hands an h2c upgrade request to socket.io's upgrade handler, which drops it.
        try (var http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return http.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(30))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        }
    }

    /**
     * Waits up to five minutes (services starting together on a busy machine) until {@code url} answers a body saying
     * {@code UP} (an actuator's health) or {@code heapUsed} (the socket.io peer's stats); throws if {@code process}
     * exits first or the time runs out.
     */
    static void awaitUp(String url, Process process) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("process exited with " + process.exitValue());
            }
            try {
                if (get(url).contains("UP") || get(url).contains("heapUsed")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new IllegalStateException(url + " did not come up");
    }
}
