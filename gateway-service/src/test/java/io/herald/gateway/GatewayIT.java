package io.herald.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.herald.events.HeraldJson;
import io.herald.events.Topics;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.testkit.TestHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The gateway over HTTP, publishing to a real Kafka broker, in front of a stand-in token-service. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=gateway-service")
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GatewayIT {

    static final String SECRET = ServiceInfrastructure.JWT_SECRET;
    static final String INTERNAL_SECRET = ServiceInfrastructure.INTERNAL_SECRET;
    static final String KEY = "hk_test_" + UUID.randomUUID();
    static final String LIMITED_KEY = "hk_limited_" + UUID.randomUUID();

    @RegisterExtension
    static final ServiceInfrastructure infra =
            ServiceInfrastructure.withKafka().jwtSecretAt("herald.gateway.jwt.hmac-secret");

    static final List<String> tokenServiceCalls = new CopyOnWriteArrayList<>();
    static final List<String> tokenServiceQueries = new CopyOnWriteArrayList<>();
    static final HttpServer tokenService = stubTokenService();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestApiKeys.add(registry, 0, "marketplace", KEY);
        TestApiKeys.add(registry, 1, "chat", LIMITED_KEY);
        registry.add("herald.gateway.api-keys[1].event-types", () -> "chat");
        registry.add("herald.gateway.dev.enabled", () -> "true");
        registry.add("herald.gateway.max-request-size", () -> "8KB");
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

    @LocalManagementPort
    int managementPort;

    @Test
    void readinessIncludesKafka() throws Exception {
        try (var http = HttpClient.newHttpClient()) {
            var ready = http.send(
                    HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(HeraldJson.mapper()
                            .readTree(ready.body())
                            .path("components")
                            .path("kafka")
                            .path("status")
                            .asString())
                    .isEqualTo("UP");
        }
    }

    @Test
    void anAcceptedEventIsOnKafkaKeyedByItsIdWithItsSourceAndNoTypeHeaders() {
        var response = post("/v1/events", Map.of("X-Api-Key", KEY), "application/json", """
                {"type":"product_like","actor":{"id":"bob","displayName":"Bob"},"recipients":["alice"],
                 "object":{"id":"p-1","kind":"product","title":"Red bike"},"data":{"productId":"p-1"}}""");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String eventId = json(response).path("eventId").asString();
        ConsumerRecord<String, byte[]> record = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> events().stream()
                                .filter(r -> eventId.equals(r.key()))
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
        JsonNode event = HeraldJson.mapper().readTree(record.value());
        assertThat(event.path("eventId").asString()).isEqualTo(eventId);
        assertThat(event.path("source").asString()).isEqualTo("marketplace");
        assertThat(event.path("schemaVersion").asInt()).isEqualTo(1);
        assertThat(event.path("occurredAt").asString()).isNotBlank();
        // No Java type headers: any language can read it. The one header is the W3C trace context.
        assertThat(record.headers().toArray()).extracting(Header::key).containsExactly("traceparent");
    }

    @Test
    void badRequestsGetProblemDetailsAndNeverA5xx() {
        record Case(
                String name, Map<String, String> headers, String contentType, String body, int status, String type) {}
        String valid = "{\"type\":\"product_like\",\"recipients\":[\"alice\"]}";
        var cases = List.of(
                new Case("no key", Map.of(), "application/json", valid, 401, "unauthenticated"),
                new Case("wrong key", Map.of("X-Api-Key", "nope"), "application/json", valid, 401, "unauthenticated"),
                new Case("text body", Map.of("X-Api-Key", KEY), "text/plain", valid, 415, "unsupported-media-type"),
                new Case("bad json", Map.of("X-Api-Key", KEY), "application/json", "{\"type\":", 400, "invalid-json"),
                new Case("empty", Map.of("X-Api-Key", KEY), "application/json", "", 400, "invalid-event"),
                new Case("array", Map.of("X-Api-Key", KEY), "application/json", "[]", 400, "invalid-event"),
                new Case(
                        "no recipients",
                        Map.of("X-Api-Key", KEY),
                        "application/json",
                        "{\"type\":\"chat\"}",
                        400,
                        "invalid-event"),
                new Case(
                        "empty recipients",
                        Map.of("X-Api-Key", KEY),
                        "application/json",
                        "{\"type\":\"chat\",\"recipients\":[]}",
                        400,
                        "invalid-event"),
                new Case(
                        "wrong types",
                        Map.of("X-Api-Key", KEY),
                        "application/json",
                        "{\"type\":\"chat\",\"recipients\":\"alice\",\"data\":{\"n\":1}}",
                        400,
                        "invalid-event"),
                new Case(
                        "bad event id",
                        Map.of("X-Api-Key", KEY),
                        "application/json",
                        "{\"eventId\":\"nope\",\"type\":\"chat\",\"recipients\":[\"a\"]}",
                        400,
                        "invalid-event"),
                new Case(
                        "type not allowed",
                        Map.of("X-Api-Key", LIMITED_KEY),
                        "application/json",
                        valid,
                        403,
                        "event-type-not-allowed"),
                new Case(
                        "too large",
                        Map.of("X-Api-Key", KEY),
                        "application/json",
                        "{\"type\":\"chat\",\"recipients\":[\"a\"],\"body\":\"" + "x".repeat(9000) + "\"}",
                        413,
                        "request-too-large"));
        for (Case c : cases) {
            var response = post("/v1/events", c.headers(), c.contentType(), c.body());
            assertThat(response.statusCode())
                    .as(c.name() + ": " + response.body())
                    .isEqualTo(c.status());
            assertThat(response.headers().firstValue("Content-Type").orElse(""))
                    .as(c.name())
                    .startsWith("application/problem+json");
            assertThat(json(response).path("type").asString())
                    .as(c.name())
                    .isEqualTo("https://herald.dev/problems/" + c.type());
        }
        var missing = TestHttp.send(
                HttpRequest.newBuilder(uri("/v1/nothing-here")).GET().build());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    }

    @Test
    void devicesAreForwardedForTheJwtSubjectOnly() {
        int before = tokenServiceCalls.size();
        String jwt = json(post("/dev/token", Map.of(), "application/json", "{\"userId\":\"alice\"}"))
                .path("token")
                .asString();

        var registered = post(
                "/v1/devices",
                Map.of("Authorization", "Bearer " + jwt),
                "application/json",
                "{\"provider\":\"fcm\",\"token\":\"t-123456\",\"platform\":\"android\"}");
        assertThat(registered.statusCode()).isEqualTo(201);
        assertThat(registered.body()).contains("\"userSeen\":\"alice\"");
        var listed = TestHttp.send(HttpRequest.newBuilder(uri("/v1/devices"))
                .header("Authorization", "Bearer " + jwt)
                .GET()
                .build());
        assertThat(listed.statusCode()).isEqualTo(200);
        var removed = TestHttp.send(HttpRequest.newBuilder(uri("/v1/devices/" + UUID.randomUUID()))
                .header("Authorization", "Bearer " + jwt)
                .DELETE()
                .build());
        assertThat(removed.statusCode()).isEqualTo(404);
        assertThat(tokenServiceCalls.subList(before, tokenServiceCalls.size()))
                .hasSize(3)
                .allSatisfy(call -> assertThat(call).contains("/internal/v1/users/alice/devices"));
    }

    @Test
    void devicesNeedAValidUnexpiredToken() {
        int before = tokenServiceCalls.size();
        for (String authorization : List.of(
                "",
                "Bearer not-a-jwt",
                "Bearer " + jwt("mallory", "a-different-secret-of-at-least-32-bytes!", 600),
                "Bearer " + jwt("alice", SECRET, -600))) {
            var request = HttpRequest.newBuilder(uri("/v1/devices")).GET();
            if (!authorization.isEmpty()) {
                request.header("Authorization", authorization);
            }
            var response = TestHttp.send(request.build());
            assertThat(response.statusCode()).as(authorization).isEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        }
        assertThat(tokenServiceCalls).hasSize(before);
    }

    @Test
    void aDownTokenServiceAnswers503WithRetryAfter() {
        String jwt = jwt("down-user", SECRET, 600);
        var response = TestHttp.send(HttpRequest.newBuilder(uri("/v1/devices"))
                .header("Authorization", "Bearer " + jwt)
                .GET()
                .build());
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(json(response).path("type").asString()).isEqualTo("https://herald.dev/problems/unavailable");
    }

    @Test
    void aRetriedRequestWithTheSameIdempotencyKeyPublishesOnce() {
        String key = "order-42-" + UUID.randomUUID();
        String body =
                "{\"type\":\"order_created\",\"recipients\":[\"alice\"],\"object\":{\"id\":\"o-42\",\"title\":\"#42\"}}";
        var first = post("/v1/events", Map.of("X-Api-Key", KEY, "Idempotency-Key", key), "application/json", body);
        var second = post("/v1/events", Map.of("X-Api-Key", KEY, "Idempotency-Key", key), "application/json", body);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(second.statusCode()).isEqualTo(202);
        String eventId = json(first).path("eventId").asString();
        assertThat(json(second).path("eventId").asString()).isEqualTo(eventId);
        await().atMost(Duration.ofSeconds(20)).until(() -> events().stream().anyMatch(r -> eventId.equals(r.key())));
        assertThat(events().stream().filter(r -> eventId.equals(r.key()))).hasSize(1);
    }

    @Test
    void aBatchAnswersPerEventAndPublishesTheGoodOnes() {
        String body = """
                {"events":[
                  {"type":"chat","recipients":["a"],"title":"one"},
                  {"type":"chat","recipients":[]},
                  {"type":"chat","recipients":["b"],"title":"three"}]}""";
        var response = post("/v1/events/batch", Map.of("X-Api-Key", KEY), "application/json", body);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode results = json(response);
        assertThat(results.path("accepted").asInt()).isEqualTo(2);
        assertThat(results.path("results").get(0).path("status").asInt()).isEqualTo(202);
        assertThat(results.path("results").get(1).path("status").asInt()).isEqualTo(400);
        assertThat(results.path("results").get(1).path("problem").path("type").asString())
                .isEqualTo("https://herald.dev/problems/invalid-event");
        String third = results.path("results").get(2).path("eventId").asString();
        await().atMost(Duration.ofSeconds(20)).until(() -> events().stream().anyMatch(r -> third.equals(r.key())));

        var tooMany = new StringBuilder("{\"events\":[");
        for (int i = 0; i < 501; i++) {
            tooMany.append(i == 0 ? "" : ",").append("{\"type\":\"chat\",\"recipients\":[\"a\"],\"title\":\"t\"}");
        }
        var refused = post("/v1/events/batch", Map.of("X-Api-Key", KEY), "application/json", tooMany + "]}");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(json(refused).path("type").asString()).isEqualTo("https://herald.dev/problems/invalid-batch");
    }

    @Test
    void dataTooLargeForAPushIsRefusedNamingTheField() {
        var data = new StringBuilder("{");
        for (int i = 0; i < 3; i++) {
            data.append(i == 0 ? "" : ",")
                    .append("\"k")
                    .append(i)
                    .append("\":\"")
                    .append("x".repeat(1500))
                    .append("\"");
        }
        var response = post(
                "/v1/events",
                Map.of("X-Api-Key", KEY),
                "application/json",
                "{\"type\":\"chat\",\"recipients\":[\"a\"],\"title\":\"t\",\"data\":" + data + "}}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("field").asString()).isEqualTo("data");
    }

    @Test
    void anAppSeesWhatBecameOfItsOwnEventsOnly() {
        String eventId = UUID.randomUUID().toString();
        var own = TestHttp.send(HttpRequest.newBuilder(uri("/v1/events/" + eventId))
                .header("X-Api-Key", KEY)
                .GET()
                .build());
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(json(own).path("source").asString()).isEqualTo("marketplace");
        // token-service is asked for this app's event under the id only (another app may use the same id).
        assertThat(tokenServiceQueries).contains("/internal/v1/events/" + eventId + "/deliveries?source=marketplace");
        var other = TestHttp.send(HttpRequest.newBuilder(uri("/v1/events/" + eventId))
                .header("X-Api-Key", LIMITED_KEY)
                .GET()
                .build());
        assertThat(other.statusCode()).isEqualTo(404);
        var anonymous = TestHttp.send(
                HttpRequest.newBuilder(uri("/v1/events/" + eventId)).GET().build());
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    @Test
    void everyUserEndpointUsesTheJwtSubjectAndNeedsAJwt() {
        String jwt = jwt("carol", SECRET, 600);
        String other = UUID.randomUUID().toString();
        record Call(String method, String path, String body) {}
        var calls = List.of(
                new Call("GET", "/v1/preferences", null),
                new Call("PUT", "/v1/preferences", "{\"muteAll\":true}"),
                new Call("GET", "/v1/inbox?limit=5", null),
                new Call("GET", "/v1/inbox/unread-count", null),
                new Call("POST", "/v1/inbox/" + other + "/read", null),
                new Call("POST", "/v1/inbox/read-all", null),
                new Call("DELETE", "/v1/inbox/" + other, null),
                new Call("GET", "/v1/devices", null),
                new Call("DELETE", "/v1/devices/" + other, null));
        for (Call call : calls) {
            var publisher = call.body() == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(call.body());
            var anonymous = TestHttp.send(HttpRequest.newBuilder(uri(call.path()))
                    .header("Content-Type", "application/json")
                    .method(call.method(), publisher)
                    .build());
            assertThat(anonymous.statusCode()).as("anonymous " + call).isEqualTo(401);
            int before = tokenServiceCalls.size();
            var response = TestHttp.send(HttpRequest.newBuilder(uri(call.path()))
                    .header("Authorization", "Bearer " + jwt)
                    .header("Content-Type", "application/json")
                    .method(
                            call.method(),
                            call.body() == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(call.body()))
                    .build());
            assertThat(response.statusCode()).as(call.toString()).isLessThan(500);
            assertThat(tokenServiceCalls.subList(before, tokenServiceCalls.size()))
                    .as(call.toString())
                    .singleElement()
                    .satisfies(forwarded -> assertThat(forwarded).contains("/internal/v1/users/carol/"));
        }
    }

    @Test
    void topicSubscriptionsAreTheJwtSubjectsOrTheUserAnAppNames() {
        String jwt = "Bearer " + jwt("erin", SECRET, 600);
        int before = tokenServiceCalls.size();

        var subscribe = send("PUT", "/v1/topics/paris.flats/subscription", Map.of("Authorization", jwt), null);
        var unsubscribe = send("DELETE", "/v1/topics/paris.flats/subscription", Map.of("Authorization", jwt), null);
        var list = send("GET", "/v1/topics/subscriptions?limit=5", Map.of("Authorization", jwt), null);
        var full = send("PUT", "/v1/topics/full/subscription", Map.of("Authorization", jwt), null);
        var app =
                send("PUT", "/v1/topics/paris.flats/subscription?userId=auth0%7Cfrank", Map.of("X-Api-Key", KEY), null);
        var appDelete =
                send("DELETE", "/v1/topics/paris.flats/subscription?userId=frank", Map.of("X-Api-Key", KEY), null);
        var bulk = send(
                "POST",
                "/v1/topics/paris.flats/subscribers",
                Map.of("X-Api-Key", KEY),
                "{\"add\":[\"ann\",\"bob\"],\"remove\":[\"cy\"]}");

        for (var response : List.of(subscribe, unsubscribe, list, app, appDelete, bulk)) {
            assertThat(response.statusCode())
                    .as(response.body())
                    .isLessThan(500)
                    .isNotIn(400, 401);
        }
        // token-service's refusal of one over the user's limit is relayed as the public problem.
        assertThat(full.statusCode()).isEqualTo(409);
        assertThat(full.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(json(full).path("type").asString()).isEqualTo("https://herald.dev/problems/too-many-subscriptions");
        assertThat(tokenServiceCalls.subList(before, tokenServiceCalls.size()))
                .containsExactly(
                        "PUT /internal/v1/users/erin/topics/paris.flats",
                        "DELETE /internal/v1/users/erin/topics/paris.flats",
                        "GET /internal/v1/users/erin/topics",
                        "PUT /internal/v1/users/erin/topics/full",
                        "PUT /internal/v1/users/auth0|frank/topics/paris.flats",
                        "DELETE /internal/v1/users/frank/topics/paris.flats",
                        "POST /internal/v1/topics/paris.flats/subscribers");
    }

    @Test
    void topicRequestsWithoutCredentialsOrWithBadNamesUsersOrListsNeverReachTokenService() {
        String jwt = "Bearer " + jwt("erin", SECRET, 600);
        int before = tokenServiceCalls.size();
        record Refused(int status, String type, HttpResponse<String> response) {}
        List<Refused> refused = List.of(
                new Refused(401, "unauthenticated", send("PUT", "/v1/topics/paris/subscription", Map.of(), null)),
                new Refused(401, "unauthenticated", send("GET", "/v1/topics/subscriptions", Map.of(), null)),
                new Refused(
                        401,
                        "unauthenticated",
                        send("PUT", "/v1/topics/paris/subscription?userId=x", Map.of("X-Api-Key", "hk_wrong"), null)),
                new Refused(
                        400,
                        "invalid-user-id",
                        send("PUT", "/v1/topics/paris/subscription", Map.of("X-Api-Key", KEY), null)),
                new Refused(
                        400,
                        "invalid-topic",
                        send("PUT", "/v1/topics/paris!flats/subscription", Map.of("Authorization", jwt), null)),
                new Refused(
                        400,
                        "invalid-topic",
                        send(
                                "DELETE",
                                "/v1/topics/" + "x".repeat(129) + "/subscription",
                                Map.of("Authorization", jwt),
                                null)),
                new Refused(
                        401,
                        "unauthenticated",
                        send(
                                "POST",
                                "/v1/topics/paris/subscribers",
                                Map.of("Authorization", jwt),
                                "{\"add\":[\"a\"]}")),
                new Refused(
                        400,
                        "invalid-subscribers",
                        send(
                                "POST",
                                "/v1/topics/paris/subscribers",
                                Map.of("X-Api-Key", KEY),
                                "{\"add\":[" + "\"u\",".repeat(1000) + "\"v\"]}")),
                new Refused(
                        400,
                        "invalid-subscribers",
                        send("POST", "/v1/topics/paris/subscribers", Map.of("X-Api-Key", KEY), "{\"add\":\"a\"}")));

        for (Refused r : refused) {
            assertThat(r.response().statusCode()).as(r.response().body()).isEqualTo(r.status());
            assertThat(r.response().headers().firstValue("Content-Type").orElse(""))
                    .startsWith("application/problem+json");
            assertThat(json(r.response()).path("type").asString()).isEqualTo("https://herald.dev/problems/" + r.type());
        }
        assertThat(tokenServiceCalls.subList(before, tokenServiceCalls.size())).isEmpty();
    }

    @Test
    void aTestNotificationIsPublishedForTheUserOnly() {
        var response = TestHttp.send(HttpRequest.newBuilder(uri("/v1/devices/test"))
                .header("Authorization", "Bearer " + jwt("dave", SECRET, 600))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
        assertThat(response.statusCode()).isEqualTo(202);
        String eventId = json(response).path("eventId").asString();
        ConsumerRecord<String, byte[]> record = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> events().stream()
                                .filter(r -> eventId.equals(r.key()))
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
        JsonNode event = HeraldJson.mapper().readTree(record.value());
        assertThat(event.path("recipients").get(0).asString()).isEqualTo("dave");
        assertThat(event.path("recipients")).hasSize(1);
        assertThat(event.path("title").asString()).isEqualTo("Test notification");
    }

    @Test
    void theOpenApiDocumentDescribesTheApiWithAnExamplePerEventType() {
        var response =
                TestHttp.send(HttpRequest.newBuilder(uri("/v3/api-docs")).GET().build());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode api = json(response);
        assertThat(api.path("paths").has("/v1/events")).isTrue();
        assertThat(api.path("paths").has("/v1/events/batch")).isTrue();
        assertThat(api.path("paths").has("/v1/devices")).isTrue();
        assertThat(api.path("paths").has("/v1/inbox")).isTrue();
        JsonNode examples = api.path("paths")
                .path("/v1/events")
                .path("post")
                .path("requestBody")
                .path("content")
                .path("application/json")
                .path("examples");
        for (String type : List.of("chat", "product_like", "order_status", "booking_status", "work_response")) {
            assertThat(examples.has(type)).as(type).isTrue();
        }
        assertThat(api.path("components").path("securitySchemes").has("apiKey")).isTrue();
    }

    /** A stand-in token-service: echoes the path it was called on; user "down-user" gets a 500. */
    private static HttpServer stubTokenService() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                tokenServiceCalls.add(exchange.getRequestMethod() + " " + path);
                if (exchange.getRequestURI().getRawQuery() != null) {
                    tokenServiceQueries.add(
                            path + "?" + exchange.getRequestURI().getRawQuery());
                }
                exchange.getRequestBody().readAllBytes();
                if (path.endsWith("/topics/full")) {
                    byte[] problem = """
                            {"type":"https://herald.dev/problems/too-many-subscriptions","title":"Too many subscriptions",\
                            "status":409,"detail":"a user may be subscribed to at most 200 topics"}""".getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "application/problem+json");
                    exchange.sendResponseHeaders(409, problem.length);
                    exchange.getResponseBody().write(problem);
                    exchange.close();
                    return;
                }
                int status = path.contains("down-user")
                        ? 500
                        : switch (exchange.getRequestMethod()) {
                            case "POST" -> 201;
                            case "DELETE" -> 404;
                            default -> 200;
                        };
                String user = path.split("/")[4];
                byte[] body = (path.startsWith("/internal/v1/events/")
                                ? "{\"eventId\":\"" + user + "\",\"source\":\"marketplace\",\"deliveries\":[]}"
                                : "{\"userSeen\":\"" + user + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders()
                        .add("Content-Type", status == 404 ? "application/problem+json" : "application/json");
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<ConsumerRecord<String, byte[]>> events() {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.EVENTS));
            for (int i = 0; i < 10 && found.isEmpty(); i++) {
                consumer.poll(Duration.ofMillis(300)).forEach(found::add);
            }
        }
        return found;
    }

    static String jwt(String subject, String secret, long expiresInSeconds) {
        try {
            var claims = new JWTClaimsSet.Builder()
                    .subject(subject)
                    .expirationTime(Date.from(Instant.now().plusSeconds(expiresInSeconds)))
                    .build();
            var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpResponse<String> post(String path, Map<String, String> headers, String contentType, String body) {
        var request = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return TestHttp.send(request.build());
    }

    private HttpResponse<String> send(String method, String path, Map<String, String> headers, @Nullable String body) {
        var request = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return TestHttp.send(request.build());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return HeraldJson.mapper().readTree(response.body());
    }
}
