package io.herald.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.HeraldJson;
import io.herald.spring.web.InternalApiProperties;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.testkit.TestHttp;
import java.net.http.HttpResponse;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** Calls one token-service instance's internal HTTP API, as the gateway does. */
public record TokenServiceClient(int port) {

    /** The internal credential the tests give token-service (and send with every internal call). */
    public static final String INTERNAL_SECRET = ServiceInfrastructure.INTERNAL_SECRET;

    /** Registers an FCM token for a user, expecting 201 (new) or 200 (refreshed or moved); the answer's body. */
    public JsonNode register(String user, String token) {
        HttpResponse<String> response = post(
                "/internal/v1/users/" + user + "/devices",
                "{\"provider\":\"fcm\",\"token\":\"" + token + "\",\"platform\":\"android\"}");
        assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
        return json(response);
    }

    public HttpResponse<String> get(String path) {
        return call("GET", path, null);
    }

    public HttpResponse<String> delete(String path) {
        return call("DELETE", path, null);
    }

    public HttpResponse<String> post(String path, String body) {
        return call("POST", path, body);
    }

    /** {@code method} on {@code path} with the internal credential, and {@code body} as JSON if any. */
    public HttpResponse<String> call(String method, String path, @Nullable String body) {
        return TestHttp.send(
                method, "http://127.0.0.1:" + port + path, Map.of(InternalApiProperties.HEADER, INTERNAL_SECRET), body);
    }

    public static JsonNode json(HttpResponse<String> response) {
        return HeraldJson.mapper().readTree(response.body());
    }
}
