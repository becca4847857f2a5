package io.herald.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.herald.events.HeraldJson;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.testkit.TestHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /v1/users/{userId}/notifications}: an app's API key, the user id as one encoded segment, and only that
 * app's notifications asked of token-service (here a stand-in that records what it is asked).
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=gateway-service")
@DirtiesContext
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HistoryIT {

    static final String KEY = "hk_booking_" + UUID.randomUUID();
    static final String OTHER_KEY = "hk_shop_" + UUID.randomUUID();

    @RegisterExtension
    static final ServiceInfrastructure infra =
            ServiceInfrastructure.withKafka().jwtSecretAt("herald.gateway.jwt.hmac-secret");

    /** What the stand-in token-service was asked: the raw path and query. */
    static final List<String> asked = new CopyOnWriteArrayList<>();

    static final HttpServer tokenService = stubTokenService();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestApiKeys.add(registry, 0, "booking", KEY);
        TestApiKeys.add(registry, 1, "shop", OTHER_KEY);
        registry.add(
                "herald.gateway.token-service-url",
                () -> "http://127.0.0.1:" + tokenService.getAddress().getPort());
        registry.add(
                "herald.gateway.ws-fanout-url",
                () -> "http://127.0.0.1:" + tokenService.getAddress().getPort());
    }

    @AfterAll
    static void stop() {
        tokenService.stop(0);
    }

    @LocalServerPort
    int port;

    @Test
    void theAppsHistoryOfAUserIsAskedForThatAppOnlyAndPassedOn() {
        var response = get("/v1/users/customer-123/notifications?limit=5&before=abc_-1", KEY);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json(response).path("userId").asString()).isEqualTo("customer-123");
        assertThat(asked.getLast())
                .isEqualTo("/internal/v1/users/customer-123/notifications?source=booking&limit=5&before=abc_-1");

        // Another key, another app: its own history of the same user.
        get("/v1/users/customer-123/notifications", OTHER_KEY);
        assertThat(asked.getLast()).isEqualTo("/internal/v1/users/customer-123/notifications?source=shop");
    }

    @Test
    void noParameterCanNameAnotherApp() {
        get("/v1/users/u1/notifications?source=shop&limit=2", KEY);
        assertThat(asked.getLast()).isEqualTo("/internal/v1/users/u1/notifications?source=booking&limit=2");

        // A value cannot add a parameter either: it goes on encoded.
        get("/v1/users/u1/notifications?before=" + TestHttp.pathSegment("x&source=shop+1"), KEY);
        assertThat(asked.getLast())
                .isEqualTo("/internal/v1/users/u1/notifications?source=booking&before=x%26source%3Dshop%2B1");
    }

    @Test
    void anyUserIdTravelsAsOneEncodedSegment() {
        var response = get("/v1/users/auth0%7Cab%20c+%40%C3%A9.x/notifications", KEY);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        // auth0|ab c+@é.x, each byte but letters, digits, - _ ~ encoded
        assertThat(asked.getLast())
                .isEqualTo("/internal/v1/users/auth0%7Cab%20c%2B%40%C3%A9%2Ex/notifications?source=booking");
    }

    @Test
    void aUserIdThePathCannotCarryIsAProblemNotAnErrorPage() {
        int before = asked.size();
        // An encoded slash or backslash Tomcat refuses itself; the rest Spring Security's firewall.
        var cases = Map.of(
                "a%2Fb", "invalid-request",
                "a%5Cb", "invalid-request",
                "a%25b", "invalid-user-id",
                "a%3Bb", "invalid-user-id",
                "a;b", "invalid-user-id");
        cases.forEach((id, kind) -> {
            var response = get("/v1/users/" + id + "/notifications", KEY);
            assertThat(response.statusCode()).as(id).isEqualTo(400);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(json(response).path("type").asString()).as(id).isEqualTo("https://herald.dev/problems/" + kind);
        });
        assertThat(asked).hasSize(before);
    }

    @Test
    void withoutAValidApiKeyItIs401AndTokenServiceIsNotAsked() {
        int before = asked.size();
        for (String key : new String[] {null, "hk_wrong"}) {
            var response = get("/v1/users/u1/notifications", key);
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(json(response).path("type").asString()).isEqualTo("https://herald.dev/problems/unauthenticated");
        }
        assertThat(asked).hasSize(before);
    }

    @Test
    void aUserIdHeraldCannotHoldIsAProblemNamingIt() {
        int before = asked.size();
        for (String id : List.of("x".repeat(256), "a%01b", "%20%20")) {
            var response = get("/v1/users/" + id + "/notifications", KEY);
            assertThat(response.statusCode()).as(id).isEqualTo(400);
            JsonNode problem = json(response);
            assertThat(problem.path("type").asString()).isEqualTo("https://herald.dev/problems/invalid-user-id");
            assertThat(problem.path("field").asString()).isEqualTo("userId");
        }
        assertThat(asked).hasSize(before);
    }

    @Test
    void tokenServicesRefusalOfAParameterReachesTheAppAsAProblemWithoutTheInternalPath() {
        var response = get("/v1/users/u1/notifications?limit=500", KEY);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        JsonNode problem = json(response);
        assertThat(problem.path("type").asString()).isEqualTo("https://herald.dev/problems/invalid-parameter");
        assertThat(problem.path("field").asString()).isEqualTo("limit");
        assertThat(problem.has("instance")).isFalse();
    }

    @Test
    void theOpenApiDocumentDescribesTheHistory() {
        JsonNode api = json(
                TestHttp.send(HttpRequest.newBuilder(uri("/v3/api-docs")).GET().build()));
        JsonNode get =
                api.path("paths").path("/v1/users/{userId}/notifications").path("get");
        assertThat(get.path("summary").asString()).contains("newest first");
        assertThat(get.path("security").findValues("apiKey")).isNotEmpty();
        assertThat(get.path("parameters").findValuesAsString("name")).contains("userId", "limit", "before");
    }

    private HttpResponse<String> get(String path, String key) {
        var request = HttpRequest.newBuilder(uri(path)).GET();
        if (key != null) {
            request.header("X-Api-Key", key);
        }
        return TestHttp.send(request.build());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return HeraldJson.mapper().readTree(response.body());
    }

    /**
     * A stand-in token-service: answers a page naming the user id as it got it (raw), or, for a limit over 100, a
     * problem as token-service gives it, with its internal path as the instance.
     */
    private static HttpServer stubTokenService() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                URI uri = exchange.getRequestURI();
                String path = uri.getRawPath();
                String query = uri.getRawQuery();
                asked.add(path + (query == null ? "" : "?" + query));
                exchange.getRequestBody().readAllBytes();
                boolean bad = query != null && query.contains("limit=500");
                String user = path.split("/")[4];
                byte[] body = (bad
                                ? """
                                {"type":"https://herald.dev/problems/invalid-parameter","title":"Invalid parameter",
                                 "status":400,"detail":"limit must be a whole number from 1 to 100","field":"limit",
                                 "instance":"%s"}""".formatted(path)
                                : "{\"userId\":\"" + user + "\",\"notifications\":[],\"next\":null}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders()
                        .add("Content-Type", bad ? "application/problem+json" : "application/json");
                exchange.sendResponseHeaders(bad ? 400 : 200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
