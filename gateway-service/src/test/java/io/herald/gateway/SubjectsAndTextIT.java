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
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * JWT subjects that need encoding reach the internal APIs as themselves, encoded once; subjects, events and dev
 * user ids with control characters are refused with a problem naming what is wrong.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=gateway-service")
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SubjectsAndTextIT {

    static final String SECRET = ServiceInfrastructure.JWT_SECRET;
    static final String KEY = "hk_test_" + UUID.randomUUID();

    @RegisterExtension
    static final ServiceInfrastructure infra =
            ServiceInfrastructure.withKafka().jwtSecretAt("herald.gateway.jwt.hmac-secret");
    /** The raw request lines the internal services received: method, then the path exactly as sent. */
    static final List<String> forwarded = new CopyOnWriteArrayList<>();

    static final HttpServer internal = stub();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestApiKeys.add(registry, 0, "marketplace", KEY);
        registry.add("herald.gateway.dev.enabled", () -> "true");
        String url = "http://127.0.0.1:" + internal.getAddress().getPort();
        registry.add("herald.gateway.token-service-url", () -> url);
        registry.add("herald.gateway.ws-fanout-url", () -> url + "/");
    }

    @AfterAll
    static void stop() {
        internal.stop(0);
    }

    @LocalServerPort
    int port;

    record Call(String method, String path, String body) {}

    @ParameterizedTest
    @ValueSource(
            strings = {
                "auth0|abc",
                "a+b@example.com",
                "google-oauth2|1/2",
                "100%",
                "%7C",
                "with space",
                "émoji😀",
                "semi;colon",
                ".."
            })
    void everyUserEndpointReachesTheInternalApiWithTheSubjectEncodedOnce(String subject) {
        String jwt = GatewayIT.jwt(subject, SECRET, 600);
        String id = UUID.randomUUID().toString();
        List<Call> calls = List.of(
                new Call("POST", "/v1/devices", "{\"provider\":\"fcm\",\"token\":\"t-1\",\"platform\":\"android\"}"),
                new Call("GET", "/v1/devices", null),
                new Call("DELETE", "/v1/devices/" + id, null),
                new Call("GET", "/v1/preferences", null),
                new Call("PUT", "/v1/preferences", "{\"muteAll\":true}"),
                new Call("GET", "/v1/inbox?limit=5&cursor=a%2Bb", null),
                new Call("GET", "/v1/inbox/unread-count", null),
                new Call("POST", "/v1/inbox/" + id + "/read", null),
                new Call("POST", "/v1/inbox/read-all", null),
                new Call("DELETE", "/v1/inbox/" + id, null));
        for (Call call : calls) {
            int before = forwarded.size();
            var response = send(call, jwt);
            assertThat(response.statusCode()).as(call + ": " + response.body()).isLessThan(300);
            assertThat(forwarded.subList(before, forwarded.size()))
                    .as(call.toString())
                    .singleElement()
                    .satisfies(line -> {
                        String rawPath = line.substring(line.indexOf(' ') + 1);
                        String[] segments = rawPath.split("/");
                        assertThat(segments[1] + "/" + segments[2] + "/" + segments[3])
                                .isEqualTo("internal/v1/users");
                        assertThat(URLDecoder.decode(segments[4], StandardCharsets.UTF_8))
                                .as(rawPath)
                                .isEqualTo(subject);
                    });
        }
        assertThat(forwarded.getLast()).endsWith("/notifications/" + id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nul\u0000", "bell\u0007", "del\u007f", "esc\u001b[0m"})
    void aSubjectWithAControlCharacterIsRefusedAndNothingIsForwardedOrPublished(String subject) {
        String jwt = GatewayIT.jwt(subject, SECRET, 600);
        int before = forwarded.size();
        for (Call call : List.of(
                new Call("GET", "/v1/devices", null),
                new Call("PUT", "/v1/preferences", "{\"muteAll\":true}"),
                new Call("GET", "/v1/inbox", null),
                new Call("POST", "/v1/devices/test", null))) {
            var response = send(call, jwt);
            assertThat(response.statusCode()).as(call.toString()).isEqualTo(400);
            assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            JsonNode problem = json(response);
            assertThat(problem.path("type").asString()).isEqualTo("https://herald.dev/problems/invalid-subject");
            assertThat(problem.path("detail").asString()).startsWith("the token's subject contains U+00");
        }
        assertThat(forwarded).hasSize(before);
    }

    @Test
    void anEventWithAControlCharacterIsRefusedNamingTheField() {
        for (String[] c : List.of(
                new String[] {"\"title\":\"bad\\u0000title\",\"body\":\"b\"", "title"},
                new String[] {"\"title\":\"t\",\"body\":\"bell\\u0007\"", "body"},
                new String[] {"\"title\":\"t\",\"body\":\"b\",\"data\":{\"k\\u0001\":\"v\"}", "data"},
                new String[] {"\"title\":\"t\",\"body\":\"b\",\"data\":{\"k\":\"v\\u007f\"}", "data.k"},
                new String[] {"\"title\":\"t\",\"body\":\"b\",\"collapseKey\":\"\\u001f\"", "collapseKey"},
                new String[] {"\"title\":\"t\",\"body\":\"b\",\"actor\":{\"id\":\"a\\u0000\"}", "actor.id"})) {
            String event = "{\"type\":\"chat\",\"recipients\":[\"alice\"]," + c[0] + "}";
            var response = post("/v1/events", event);
            assertThat(response.statusCode()).as(event).isEqualTo(400);
            JsonNode problem = json(response);
            assertThat(problem.path("type").asString()).isEqualTo("https://herald.dev/problems/invalid-event");
            assertThat(problem.path("field").asString()).as(event).isEqualTo(c[1]);
            assertThat(problem.path("detail").asString()).contains("contains U+00");
        }
        var recipient = post("/v1/events", "{\"type\":\"chat\",\"recipients\":[\"ok\",\"n\\u0000\"],\"title\":\"t\"}");
        assertThat(json(recipient).path("field").asString()).isEqualTo("recipients[1]");
    }

    @Test
    void aBatchRefusesTheEventWithAControlCharacterAndPublishesTheOthers() {
        var response = post("/v1/events/batch", """
                {"events":[
                  {"type":"chat","recipients":["alice"],"title":"fine","body":"b"},
                  {"type":"chat","recipients":["alice"],"title":"bad\\u0000","body":"b"}]}""");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode results = json(response).path("results");
        assertThat(results.get(0).path("status").asInt()).isEqualTo(202);
        assertThat(results.get(1).path("status").asInt()).isEqualTo(400);
        assertThat(results.get(1).path("problem").path("field").asString()).isEqualTo("title");
    }

    @Test
    void aDevTokenIsForAnyUsableUserIdUpTo255Characters() {
        String longest = "é".repeat(255);
        var ok = post(
                "/dev/token",
                HeraldJson.mapper().createObjectNode().put("userId", longest).toString());
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        for (String bad : List.of("x".repeat(256), "nul\u0000", "")) {
            var refused = post(
                    "/dev/token",
                    HeraldJson.mapper().createObjectNode().put("userId", bad).toString());
            assertThat(refused.statusCode()).as(bad).isEqualTo(400);
            assertThat(json(refused).path("field").asString()).isEqualTo("userId");
        }
    }

    /** A stand-in for both internal APIs: records the raw path it was called on and answers 200 (201 for POST). */
    private static HttpServer stub() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                forwarded.add(exchange.getRequestMethod() + " "
                        + exchange.getRequestURI().getRawPath());
                exchange.getRequestBody().readAllBytes();
                byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(exchange.getRequestMethod().equals("POST") ? 201 : 200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<String> send(Call call, String jwt) {
        return TestHttp.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + call.path()))
                .header("Authorization", "Bearer " + jwt)
                .header("Content-Type", "application/json")
                .method(
                        call.method(),
                        call.body() == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(call.body()))
                .build());
    }

    private HttpResponse<String> post(String path, String body) {
        return TestHttp.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-Api-Key", KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return HeraldJson.mapper().readTree(response.body());
    }
}
