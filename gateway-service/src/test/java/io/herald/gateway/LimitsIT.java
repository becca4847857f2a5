package io.herald.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.testkit.ServiceInfrastructure;
import io.herald.testkit.TestHttp;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
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
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LimitsIT {

    static final String KEY = "hk_limits_test";

    @RegisterExtension
    static final ServiceInfrastructure infra =
            ServiceInfrastructure.withKafka().jwtSecretAt("herald.gateway.jwt.hmac-secret");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestApiKeys.add(registry, 0, "app", KEY);
        registry.add("herald.gateway.rate-limits.per-api-key-per-second", () -> "1");
        registry.add("herald.gateway.rate-limits.per-api-key-burst", () -> "2");
        registry.add("herald.gateway.rate-limits.per-user-per-second", () -> "1");
        registry.add("herald.gateway.rate-limits.per-user-burst", () -> "2");
        registry.add("herald.gateway.cors.allowed-origins", () -> "https://app.example");
        registry.add("herald.gateway.token-service-url", () -> "http://127.0.0.1:9");
    }

    @LocalServerPort
    int port;

    @Test
    void anApiKeyOverItsRateGets429WithRetryAfter() throws Exception {
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            responses.add(TestHttp.send(HttpRequest.newBuilder(uri("/v1/events"))
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
            var response = TestHttp.send(HttpRequest.newBuilder(uri("/v1/devices"))
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
        var allowed = TestHttp.send(HttpRequest.newBuilder(uri("/v1/devices"))
                .header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .build());
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");

        var refused = TestHttp.send(HttpRequest.newBuilder(uri("/v1/devices"))
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
}
