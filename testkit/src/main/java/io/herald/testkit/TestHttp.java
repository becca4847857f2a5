package io.herald.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * HTTP/1.1 for tests, with the JDK's client: one request, its answer as text, a failure to connect as an unchecked
 * exception (an interrupt keeps the thread's interrupt flag). Each request has a client and a connection of its own,
 * so that no test meets a connection another one left half-closed. Thread-safe.
 */
public final class TestHttp {

    private TestHttp() {}

    /** Sends {@code request} and waits for the whole answer. */
    public static HttpResponse<String> send(HttpRequest request) {
        try (var client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build()) {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + request.method() + " " + request.uri(), e);
        }
    }

    /**
     * Sends {@code method} to {@code uri} with {@code headers} and, unless {@code null}, {@code body} as {@code
     * application/json}; waits at most 30 s for the answer.
     */
    public static HttpResponse<String> send(
            String method, String uri, Map<String, String> headers, @Nullable String body) {
        var request = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::setHeader);
        return send(request.method(method, body(body)).build());
    }

    /**
     * {@code value} as one path segment: each UTF-8 byte percent-encoded except letters, digits, {@code -} and
     * {@code _} ({@code .} too, so that no segment is {@code ..}), much as the gateway sends a user id (any JWT
     * subject) to the internal APIs.
     */
    public static String pathSegment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8)
                .replace("+", "%20")
                .replace("*", "%2A")
                .replace(".", "%2E");
    }

    /** {@code body} as a request body, or none for {@code null}. */
    public static HttpRequest.BodyPublisher body(@Nullable String body) {
        return body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
    }
}
