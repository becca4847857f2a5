package io.herald.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.HeraldJson;
import io.herald.testkit.KafkaBroker;
import io.herald.testkit.PostgresServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * token-service's internal API with user ids that need encoding in a path, and bodies with control characters:
 * any JWT subject is a user id, stored as it is; a NUL in a body is a 400 problem, never a 500.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=token-service"})
@DirtiesContext
class AwkwardInputIT {

    static final KafkaBroker kafka = KafkaBroker.start();
    static final PostgresServer.Database db = PostgresServer.shared().newDatabase("token");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", kafka::bootstrapServers);
        registry.add("spring.datasource.url", db::jdbcUrl);
        registry.add("spring.datasource.username", db::username);
        registry.add("spring.datasource.password", db::password);
        registry.add("herald.internal.secret", () -> io.herald.token.TokenServiceIT.INTERNAL_SECRET);
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    /** Every character but the unreserved ones percent-encoded, as the gateway sends a subject. */
    private static String segment(String userId) {
        return URLEncoder.encode(userId, StandardCharsets.UTF_8)
                .replace("+", "%20")
                .replace("*", "%2A")
                .replace(".", "%2E");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "auth0|abc",
                "a+b@example.com",
                "google-oauth2|1/2",
                "100%",
                "%2F",
                "with space",
                "émoji😀",
                "semi;colon=x",
                "back\\slash",
                "..",
                "question?hash#"
            })
    void anyUserIdIsAPathSegmentAndStoredAsItIs(String userId) {
        String user = userId;
        String base = "/internal/v1/users/" + segment(user);
        String token = "fcm-" + UUID.randomUUID();

        var created = call("POST", base + "/devices", """
                {"provider":"fcm","token":"%s","platform":"android"}""".formatted(token));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(jdbc.sql("select user_id from token.devices where token = :t")
                        .param("t", token)
                        .query(String.class)
                        .single())
                .isEqualTo(user);
        JsonNode devices = json(call("GET", base + "/devices", null));
        assertThat(devices).hasSize(1);
        String deviceId = devices.get(0).path("deviceId").asString();

        var saved = call("PUT", base + "/preferences", "{\"muteAll\":false,\"mutedTypes\":[\"chat\"]}");
        assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
        assertThat(jdbc.sql("select count(*) from token.preferences where user_id = :u")
                        .param("u", user)
                        .query(Long.class)
                        .single())
                .isOne();
        assertThat(json(call("GET", base + "/preferences", null))
                        .path("mutedTypes")
                        .get(0)
                        .asString())
                .isEqualTo("chat");

        assertThat(call("DELETE", base + "/devices/" + deviceId, null).statusCode())
                .isEqualTo(204);
        assertThat(json(call("GET", base + "/devices", null))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"token", "appId", "locale", "timeZone", "platform", "provider"})
    void aDeviceWithAControlCharacterInAnyFieldIsABadRequestNamingIt(String field) {
        var device = HeraldJson.mapper().createObjectNode();
        device.put("provider", "fcm");
        device.put("token", "fcm-" + UUID.randomUUID());
        device.put("platform", "android");
        device.put(field, "x\u0000y");

        var response = call("POST", "/internal/v1/users/u-" + UUID.randomUUID() + "/devices", device.toString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode problem = json(response);
        assertThat(problem.path("type").asString()).isEqualTo("https://herald.dev/problems/invalid-device");
        assertThat(problem.path("errors").get(0).path("field").asString()).isEqualTo(field);
        assertThat(problem.path("detail").asString()).startsWith(field + " contains U+0000");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"muteAll\":false,\"mutedTypes\":[\"chat\\u0000\"]}",
                "{\"muteAll\":false,\"mutedChannels\":{\"chat\\u0001\":[\"push\"]}}",
                "{\"muteAll\":false,\"mutedChannels\":{\"chat\":[\"push\\u0000\"]}}",
                "{\"muteAll\":false,\"quietHours\":{\"start\":\"22:00\",\"end\":\"07:00\",\"timeZone\":\"Europe/Paris\\u0000\"}}"
            })
    void preferencesWithAControlCharacterAreABadRequest(String body) {
        var response = call("PUT", "/internal/v1/users/u-" + UUID.randomUUID() + "/preferences", body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode problem = json(response);
        assertThat(problem.path("type").asString()).isEqualTo("https://herald.dev/problems/invalid-preferences");
        assertThat(problem.path("detail").asString()).contains("contains U+000");
        assertThat(List.of("mutedTypes", "mutedChannels", "quietHours"))
                .anySatisfy(
                        field -> assertThat(problem.path("detail").asString()).startsWith(field));
    }

    private HttpResponse<String> call(String method, String path, String body) {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header(
                        io.herald.spring.web.InternalApiProperties.HEADER,
                        io.herald.token.TokenServiceIT.INTERNAL_SECRET)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try (var http = HttpClient.newHttpClient()) {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        return HeraldJson.mapper().readTree(response.body());
    }
}
