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
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
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
 * {@code POST /v1/events/{id}/withdraw}, {@code POST /v1/withdrawals} and {@code PATCH /v1/events/{id}}: each
 * publishes one event with its change on the real broker and answers 202 with its id; bad input is problem+json.
 * A stand-in token-service serves the delivery log of one event of app {@code shop}.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=gateway-service")
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ChangesIT {

    static final String SHOP = "hk_changes_shop";
    static final String CHAT_ONLY = "hk_changes_chat";
    static final UUID LOGGED = UUID.randomUUID();

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafka();

    static final HttpServer tokenService = stubTokenService();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestApiKeys.add(registry, 0, "shop", SHOP);
        TestApiKeys.add(registry, 1, "chat", CHAT_ONLY);
        registry.add("herald.gateway.api-keys[1].event-types", () -> "chat");
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
    void aWithdrawalOfAnEventIsPublishedWithItsRecipientsAndTheAppAsSource() {
        UUID target = UUID.randomUUID();
        var response = send("POST", "/v1/events/" + target + "/withdraw", SHOP, """
                {"recipients":["alice","bob"]}""");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);

        JsonNode event = published(json(response).path("eventId").asString());
        assertThat(event.path("source").asString()).isEqualTo("shop");
        assertThat(event.path("type").asString()).isEqualTo("withdraw");
        assertThat(event.path("recipients").valueStream().map(JsonNode::asString))
                .containsExactly("alice", "bob");
        assertThat(event.path("change").path("kind").asString()).isEqualTo("withdraw");
        assertThat(event.path("change").path("eventId").asString()).isEqualTo(target.toString());
        assertThat(event.path("change").path("collapseKey").isMissingNode()
                        || event.path("change").path("collapseKey").isNull())
                .isTrue();
    }

    @Test
    void aWithdrawalWithoutRecipientsTakesThemFromTheEventsDeliveryLogOfThisAppOnly() {
        // No body at all: the recipients of the event's delivery log, each once.
        var response = send("POST", "/v1/events/" + LOGGED + "/withdraw", SHOP, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode event = published(json(response).path("eventId").asString());
        assertThat(event.path("recipients").valueStream().map(JsonNode::asString))
                .containsExactly("alice", "carol");

        // Another app's event, or one nobody knows: as if it did not exist.
        var otherApp = send("POST", "/v1/events/" + LOGGED + "/withdraw", CHAT_ONLY, "{}");
        assertProblem(otherApp, 404, "event-not-found");
        var unknown = send("POST", "/v1/events/" + UUID.randomUUID() + "/withdraw", SHOP, "{}");
        assertProblem(unknown, 404, "event-not-found");
    }

    @Test
    void aWithdrawalByCollapseKeyNeedsTheKeyAndTheRecipients() {
        var response = send("POST", "/v1/withdrawals", SHOP, """
                {"collapseKey":"order-42","recipients":["alice"]}""");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode event = published(json(response).path("eventId").asString());
        assertThat(event.path("change").path("kind").asString()).isEqualTo("withdraw");
        assertThat(event.path("change").path("collapseKey").asString()).isEqualTo("order-42");
        assertThat(event.path("source").asString()).isEqualTo("shop");

        assertThat(field(assertProblem(send("POST", "/v1/withdrawals", SHOP, """
                {"recipients":["alice"]}"""), 400, "invalid-event")))
                .isEqualTo("collapseKey");
        assertThat(field(assertProblem(send("POST", "/v1/withdrawals", SHOP, """
                {"collapseKey":"order-42"}"""), 400, "invalid-event")))
                .isEqualTo("recipients");
        // The collapse key is checked as the event schema checks it: at most 64 characters.
        assertProblem(
                send(
                        "POST",
                        "/v1/withdrawals",
                        SHOP,
                        "{\"collapseKey\":\"" + "k".repeat(65) + "\",\"recipients\":[\"a\"]}"),
                400,
                "invalid-event");
        assertProblem(send("POST", "/v1/withdrawals", SHOP, "[1]"), 400, "invalid-event");
        assertProblem(send("POST", "/v1/withdrawals", SHOP, "{not json"), 400, "invalid-json");
        assertProblem(send("POST", "/v1/withdrawals", null, "{}"), 401, "unauthenticated");
    }

    @Test
    void anUpdatePublishesTheNewWordsAndRefusesWhatItCannotRender() {
        UUID target = UUID.randomUUID();
        var response = send("PATCH", "/v1/events/" + target, SHOP, """
                {"recipients":["alice"],"title":"Booking moved","body":"Now at 11:00","data":{"time":"11:00"}}""");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode event = published(json(response).path("eventId").asString());
        assertThat(event.path("change").path("kind").asString()).isEqualTo("update");
        assertThat(event.path("change").path("eventId").asString()).isEqualTo(target.toString());
        assertThat(event.path("title").asString()).isEqualTo("Booking moved");
        assertThat(event.path("body").asString()).isEqualTo("Now at 11:00");
        assertThat(event.path("data").path("time").asString()).isEqualTo("11:00");
        assertThat(event.path("type").asString()).isEqualTo("update");

        // Without a type there is no template: the words are needed.
        assertThat(field(assertProblem(
                        send("PATCH", "/v1/events/" + target, SHOP, "{\"recipients\":[\"alice\"],\"body\":\"b\"}"),
                        400,
                        "invalid-event")))
                .isEqualTo("title");
        assertThat(field(assertProblem(
                        send(
                                "PATCH",
                                "/v1/events/" + target,
                                SHOP,
                                "{\"recipients\":[\"a\"],\"title\":\"t\",\"body\":\"b\",\"link\":\"x\"}"),
                        400,
                        "invalid-event")))
                .isEqualTo("link");
        assertThat(field(assertProblem(
                        send(
                                "PATCH",
                                "/v1/events/" + target,
                                SHOP,
                                "{\"recipients\":[\"a\"],\"title\":\"t\\u0007\",\"body\":\"b\"}"),
                        400,
                        "invalid-event")))
                .isEqualTo("title");
        assertProblem(
                send("PATCH", "/v1/events/not-an-id", SHOP, "{\"recipients\":[\"a\"],\"title\":\"t\",\"body\":\"b\"}"),
                400,
                null);
        assertProblem(
                send("PATCH", "/v1/events/" + target, SHOP, "{\"recipients\":[],\"title\":\"t\",\"body\":\"b\"}"),
                400,
                "invalid-event");
    }

    @Test
    void aKeyLimitedToSomeTypesMayWithdrawButUpdatesOnlyWithItsTypes() {
        UUID target = UUID.randomUUID();
        assertThat(send("POST", "/v1/events/" + target + "/withdraw", CHAT_ONLY, "{\"recipients\":[\"a\"]}")
                        .statusCode())
                .isEqualTo(202);
        assertThat(send("PATCH", "/v1/events/" + target, CHAT_ONLY, """
                {"recipients":["a"],"type":"chat","data":{"message":"edited"}}""").statusCode())
                .isEqualTo(202);
        assertProblem(send("PATCH", "/v1/events/" + target, CHAT_ONLY, """
                        {"recipients":["a"],"type":"order_status","title":"t","body":"b"}"""), 403, "event-type-not-allowed");
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyIsAnsweredWithTheSameIdAndPublishedOnce() {
        UUID target = UUID.randomUUID();
        String key = "withdraw-" + target;
        Map<String, String> headers = Map.of("X-Api-Key", SHOP, "Idempotency-Key", key);
        var first =
                TestHttp.send("POST", url("/v1/events/" + target + "/withdraw"), headers, "{\"recipients\":[\"a\"]}");
        var retry =
                TestHttp.send("POST", url("/v1/events/" + target + "/withdraw"), headers, "{\"recipients\":[\"a\"]}");
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(retry.statusCode()).isEqualTo(202);
        String id = json(first).path("eventId").asString();
        assertThat(json(retry).path("eventId").asString()).isEqualTo(id);
        published(id);
        assertThat(all(id)).hasSize(1);
    }

    @Test
    void theOpenApiDocumentDescribesTheThreeEndpoints() {
        var response = TestHttp.send(
                HttpRequest.newBuilder(URI.create(url("/v3/api-docs"))).GET().build());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode paths = json(response).path("paths");
        assertThat(paths.path("/v1/events/{eventId}/withdraw")
                        .path("post")
                        .path("requestBody")
                        .isObject())
                .isTrue();
        assertThat(paths.path("/v1/withdrawals")
                        .path("post")
                        .path("requestBody")
                        .path("required")
                        .asBoolean())
                .isTrue();
        assertThat(paths.path("/v1/events/{eventId}")
                        .path("patch")
                        .path("requestBody")
                        .isObject())
                .isTrue();
    }

    private static @Nullable String field(JsonNode problem) {
        return problem.path("field").isMissingNode()
                ? null
                : problem.path("field").asString();
    }

    private static JsonNode assertProblem(HttpResponse<String> response, int status, @Nullable String kind) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode problem = json(response);
        assertThat(problem.path("type").asString()).startsWith("https://herald.dev/problems/");
        if (kind != null) {
            assertThat(problem.path("type").asString()).isEqualTo("https://herald.dev/problems/" + kind);
        }
        return problem;
    }

    private HttpResponse<String> send(String method, String path, @Nullable String apiKey, @Nullable String body) {
        Map<String, String> headers = new HashMap<>();
        if (apiKey != null) {
            headers.put("X-Api-Key", apiKey);
        }
        return TestHttp.send(method, url(path), headers, body);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    private static JsonNode json(HttpResponse<String> response) {
        return HeraldJson.mapper().readTree(response.body());
    }

    /** The one record of the events topic keyed by {@code eventId}. */
    private static JsonNode published(String eventId) {
        List<ConsumerRecord<String, byte[]>> found = all(eventId);
        assertThat(found).as("records of event %s", eventId).hasSize(1);
        assertThat(found.getFirst().headers().lastHeader("__TypeId__")).isNull();
        return HeraldJson.mapper().readTree(found.getFirst().value());
    }

    /** Every record of the events topic keyed by {@code eventId}, read from the beginning to the current end. */
    private static List<ConsumerRecord<String, byte[]>> all(String eventId) {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (eventId.equals(r.key())) {
                        found.add(r);
                    }
                });
            }
        }
        return found;
    }

    /** A stand-in token-service: the delivery log of {@link #LOGGED} (app {@code shop}), 404 for anything else. */
    private static HttpServer stubTokenService() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                String query = String.valueOf(exchange.getRequestURI().getQuery());
                exchange.getRequestBody().readAllBytes();
                boolean known =
                        path.equals("/internal/v1/events/" + LOGGED + "/deliveries") && query.equals("source=shop");
                byte[] body = (known
                                ? "{\"eventId\":\"" + LOGGED + "\",\"source\":\"shop\",\"deliveries\":["
                                        + "{\"userId\":\"alice\",\"channel\":\"push\",\"outcome\":\"accepted\"},"
                                        + "{\"userId\":\"alice\",\"channel\":\"inapp\",\"outcome\":\"delivered\"},"
                                        + "{\"userId\":\"carol\",\"channel\":\"push\",\"outcome\":\"planned\"}]}"
                                : "{\"type\":\"https://herald.dev/problems/event-not-found\",\"status\":404}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders()
                        .add("Content-Type", known ? "application/json" : "application/problem+json");
                exchange.sendResponseHeaders(known ? 200 : 404, body.length);
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
