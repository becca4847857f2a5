package io.herald.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.herald.events.HeraldJson;
import io.herald.events.Topics;
import io.herald.gateway.TestApiKeys;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.testkit.TestHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
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
 * Scheduled delivery at the gateway: {@code deliverAt} is accepted up to {@code herald.gateway.schedule.max-ahead}
 * ahead and published with the event, refused beyond it (400 naming the field, alone and in a batch), and {@code
 * DELETE /v1/events/{eventId}} asks token-service (here a stand-in) to cancel the app's own event, relaying its 204 or
 * 404.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=gateway-service", "herald.gateway.schedule.max-ahead=30d"})
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ScheduledEventsIT {

    static final String KEY = "hk_schedule_app";
    static final UUID WAITING = UUID.randomUUID();
    static final List<String> tokenServiceCalls = new CopyOnWriteArrayList<>();
    static final HttpServer tokenService = stubTokenService();

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafka();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestApiKeys.add(registry, 0, "planner", KEY);
        registry.add(
                "herald.gateway.token-service-url",
                () -> "http://127.0.0.1:" + tokenService.getAddress().getPort());
    }

    @AfterAll
    static void stop() {
        tokenService.stop(0);
    }

    @LocalServerPort
    int port;

    @Test
    void aDeliverAtWithinMaxAheadIsPublishedWithTheEventAndOneBeyondIsRefusedNamingTheField() {
        Instant soon = Instant.now().plus(Duration.ofDays(29));
        var accepted = post("/v1/events", event(soon));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = json(accepted).path("eventId").asString();
        ConsumerRecord<String, byte[]> published = infra.firstRecord(Topics.EVENTS, id, Duration.ofSeconds(30));
        assertThat(Instant.parse(HeraldJson.mapper()
                        .readTree(published.value())
                        .path("deliverAt")
                        .asString()))
                .isEqualTo(soon);
        // In the past: accepted, delivered at once by token-service.
        assertThat(post("/v1/events", event(Instant.now().minusSeconds(60))).statusCode())
                .isEqualTo(202);

        var tooFar = post("/v1/events", event(Instant.now().plus(Duration.ofDays(31))));

        assertThat(tooFar.statusCode()).as(tooFar.body()).isEqualTo(400);
        assertThat(tooFar.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(json(tooFar).path("type").asString()).isEqualTo("https://herald.dev/problems/invalid-event");
        assertThat(json(tooFar).path("field").asString()).isEqualTo("deliverAt");
        var batch = post(
                "/v1/events/batch",
                "{\"events\":[" + event(soon) + "," + event(Instant.now().plus(Duration.ofDays(31))) + "]}");
        assertThat(batch.statusCode()).as(batch.body()).isEqualTo(200);
        assertThat(json(batch).path("results").valueStream())
                .extracting(r -> r.path("status").asInt() + " "
                        + r.path("problem").path("field").asString(""))
                .containsExactly("202 ", "400 deliverAt");
    }

    /**
     * A local time comes first at UTC+14: it is refused only when even that instant is beyond max-ahead (30 days), so
     * 30 days and 13 hours ahead of UTC's local time is accepted, 30 days and 15 hours is not.
     */
    @Test
    void aDeliverAtLocalIsRefusedOnlyWhenEvenItsEarliestZoneIsBeyondMaxAhead() {
        LocalDateTime utcNow =
                LocalDateTime.ofInstant(Instant.now(), ZoneOffset.UTC).withNano(0);
        LocalDateTime withinInTheEast = utcNow.plusDays(30).plusHours(13);
        var accepted = post("/v1/events", localEvent(withinInTheEast));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = json(accepted).path("eventId").asString();
        ConsumerRecord<String, byte[]> published = infra.firstRecord(Topics.EVENTS, id, Duration.ofSeconds(30));
        assertThat(LocalDateTime.parse(HeraldJson.mapper()
                        .readTree(published.value())
                        .path("deliverAtLocal")
                        .asString()))
                .isEqualTo(withinInTheEast);

        var tooFar = post("/v1/events", localEvent(utcNow.plusDays(30).plusHours(15)));

        assertThat(tooFar.statusCode()).as(tooFar.body()).isEqualTo(400);
        assertThat(json(tooFar).path("type").asString()).isEqualTo("https://herald.dev/problems/invalid-event");
        assertThat(json(tooFar).path("field").asString()).isEqualTo("deliverAtLocal");
    }

    @Test
    void cancellingAsksTokenServiceForTheAppsOwnEventAndRelaysItsAnswer() {
        UUID delivered = UUID.randomUUID();

        var cancelled = delete("/v1/events/" + WAITING, KEY);
        var notWaiting = delete("/v1/events/" + delivered, KEY);
        var noKey = delete("/v1/events/" + WAITING, null);

        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(204);
        assertThat(notWaiting.statusCode()).isEqualTo(404);
        assertThat(notWaiting.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(json(notWaiting).path("type").asString())
                .isEqualTo("https://herald.dev/problems/event-not-scheduled");
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(tokenServiceCalls)
                .containsExactly(
                        "DELETE /internal/v1/events/" + WAITING + "/schedule?source=planner",
                        "DELETE /internal/v1/events/" + delivered + "/schedule?source=planner");
    }

    /** A stand-in token-service: cancels {@link #WAITING} of the app "planner" (204), nothing else (404). */
    private static HttpServer stubTokenService() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                String call = exchange.getRequestMethod() + " " + exchange.getRequestURI();
                tokenServiceCalls.add(call);
                exchange.getRequestBody().readAllBytes();
                if (call.equals("DELETE /internal/v1/events/" + WAITING + "/schedule?source=planner")) {
                    exchange.sendResponseHeaders(204, -1);
                } else {
                    byte[] body = """
                            {"type":"https://herald.dev/problems/event-not-scheduled","title":"Event not scheduled",\
                            "status":404,"detail":"No event waits for delivery under this id"}""".getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "application/problem+json");
                    exchange.sendResponseHeaders(404, body.length);
                    exchange.getResponseBody().write(body);
                }
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String event(Instant deliverAt) {
        return """
                {"type":"chat","recipients":["alice"],"title":"Your visit","body":"In one hour","deliverAt":"%s"}""".formatted(deliverAt);
    }

    private static String localEvent(LocalDateTime deliverAtLocal) {
        return """
                {"type":"chat","recipients":["alice"],"title":"Your visit","body":"In one hour","deliverAtLocal":"%s"}""".formatted(deliverAtLocal);
    }

    private HttpResponse<String> post(String path, String body) {
        return TestHttp.send(
                "POST",
                "http://127.0.0.1:" + port + path,
                Map.of("X-Api-Key", KEY, "Content-Type", "application/json"),
                body);
    }

    private HttpResponse<String> delete(String path, @Nullable String key) {
        return TestHttp.send(
                "DELETE", "http://127.0.0.1:" + port + path, key == null ? Map.of() : Map.of("X-Api-Key", key), null);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return HeraldJson.mapper().readTree(response.body());
    }
}
