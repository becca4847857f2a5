package io.herald.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.HeraldJson;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With no Kafka reachable, publishing answers 503 with Retry-After, promptly, never a hang or a 500. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=gateway-service")
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaDownIT {

    static final String KEY = "hk_down_test";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        int closedPort;
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        int port = closedPort;
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + port);
        registry.add("spring.kafka.admin.fail-fast", () -> "false");
        registry.add("spring.kafka.admin.auto-create", () -> "false");
        registry.add("spring.kafka.producer.properties.max.block.ms", () -> "1000");
        registry.add("herald.gateway.publish-timeout", () -> "1s");
        TestApiKeys.add(registry, 0, "app", KEY);
        registry.add("herald.internal.secret", () -> GatewayIT.INTERNAL_SECRET);
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Test
    void publishingWithoutKafkaAnswers503WithRetryAfter() throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                .header("Content-Type", "application/json")
                .header("X-Api-Key", KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"chat\",\"recipients\":[\"a\"],\"title\":\"t\"}"))
                .build();
        try (var http = HttpClient.newHttpClient()) {
            var response = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        }
    }

    @Test
    void withoutKafkaTheGatewayIsAliveButNotReady() throws Exception {
        try (var http = HttpClient.newHttpClient()) {
            var ready = http.send(
                    HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(HeraldJson.mapper()
                            .readTree(ready.body())
                            .path("components")
                            .path("kafka")
                            .path("status")
                            .asString())
                    .isEqualTo("DOWN");
            var live = http.send(
                    HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/liveness"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).isEqualTo(200);
        }
    }
}
