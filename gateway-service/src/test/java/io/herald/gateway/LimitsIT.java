package io.herald.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.gateway.security.ApiKeys;
import io.herald.testkit.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Rate limits per API key and per user, and CORS for web apps. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=gateway-service")
@DirtiesContext
class LimitsIT {

    static final String KEY = "hk_limits_test";
    static final KafkaBroker kafka = KafkaBroker.start();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", kafka::bootstrapServers);
        registry.add("herald.gateway.api-keys[0].name", () -> "app");
        registry.add("herald.gateway.api-keys[0].sha256", () -> HexFormat.of().formatHex(ApiKeys.sha256(KEY)));
        registry.add("herald.gateway.jwt.hmac-secret", () -> GatewayIT.SECRET);
        registry.add("herald.internal.secret", () -> GatewayIT.INTERNAL_SECRET);
        registry.add("herald.gateway.rate-limits.per-api-key-per-second", () -> "1");
        registry.add("herald.gateway.rate-limits.per-api-key-burst", () -> "2");
        registry.add("herald.gateway.rate-limits.per-user-per-second", () -> "1");
        registry.add("herald.gateway.rate-limits.per-user-burst", () -> "2");
        registry.add("herald.gateway.cors.allowed-origins", () -> "https://app.example");
        registry.add("herald.gateway.token-service-url", () -> "http://127.0.0.1:9");
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @LocalServerPort
    int port;

    @Test
    void anApiKeyOverItsRateGets429WithRetryAfter() throws Exception {
        java.util.List<HttpResponse<String>> responses = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            responses.add(send(HttpRequest.newBuilder(uri("/v1/events"))
                    .header("X-Api-Key", KEY)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"type\":\"chat\",\"recipients\":[\"a\"],\"title\":\"t\"}"))
                    .build()));
        }
        assertThat(responses.get(0).statusCode()).isEqualTo(202);
        assertThat(responses.get(1).statusCode()).isEqualTo(202);
        HttpResponse<String> refused = responses.stream()
                .filter(r -> r.statusCode() == 429)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no request was limited"));
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(refused.body()).contains("https://herald.dev/problems/rate-limited");
    }

    @Test
    void aUserOverTheirRateGets429() throws Exception {
        String jwt = GatewayIT.jwt("busy-user", GatewayIT.SECRET, 600);
        int limited = 0;
        for (int i = 0; i < 4; i++) {
            var response = send(HttpRequest.newBuilder(uri("/v1/devices"))
                    .header("Authorization", "Bearer " + jwt)
                    .GET()
                    .build());
            assertThat(response.statusCode()).isIn(503, 429);
            if (response.statusCode() == 429) {
                limited++;
            }
        }
        assertThat(limited).isGreaterThanOrEqualTo(1);
    }

    @Test
    void browsersFromAllowedOriginsMayCallTheApi() throws Exception {
        var allowed = send(HttpRequest.newBuilder(uri("/v1/devices"))
                .header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .build());
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");

        var refused = send(HttpRequest.newBuilder(uri("/v1/devices"))
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "GET")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .build());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        try (var http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }
}
