package io.herald.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.HeraldJson;
import io.herald.spring.web.InternalApiProperties;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import tools.jackson.databind.JsonNode;

/** Calls one token-service instance's internal HTTP API, as the gateway does. */
public record TokenServiceClient(int port) {

    /** The internal credential the tests give token-service (and send with every internal call). */
    public static final String INTERNAL_SECRET = TokenServiceIT.INTERNAL_SECRET;

    /** Registers an FCM token for a user, expecting 201 (new) or 200 (refreshed or moved); the answer's body. */
    public JsonNode register(String user, String token) {
        HttpResponse<String> response = post(
                "/internal/v1/users/" + user + "/devices",
                "{\"provider\":\"fcm\",\"token\":\"" + token + "\",\"platform\":\"android\"}");
        assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
        return json(response);
    }

    public HttpResponse<String> get(String path) {
        return send(internal(HttpRequest.newBuilder(uri(path))).GET().build());
    }

    public HttpResponse<String> delete(String path) {
        return send(internal(HttpRequest.newBuilder(uri(path))).DELETE().build());
    }

    public HttpResponse<String> post(String path, String body) {
        return send(internal(HttpRequest.newBuilder(uri(path)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    public static JsonNode json(HttpResponse<String> response) {
        return HeraldJson.mapper().readTree(response.body());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static HttpRequest.Builder internal(HttpRequest.Builder request) {
        return request.header(InternalApiProperties.HEADER, INTERNAL_SECRET);
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try (var http = HttpClient.newHttpClient()) {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
