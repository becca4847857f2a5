package io.herald.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.PushDelivery;
import io.herald.events.Topics;
import io.herald.events.TraceContext;
import io.herald.spring.web.InternalApiProperties;
import io.herald.testkit.fcm.FcmEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * The whole pipeline in one JVM: gateway, token-service, dispatch-service and ws-fanout-service, each its own
 * Spring context, over a real Kafka broker and a real PostgreSQL, delivering to the FCM emulator.
 */
@ExtendWith(SharedDevStack.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PipelineIT {

    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static DevStack stack;

    @BeforeAll
    static void useTheSharedStack(DevStack shared) {
        stack = shared;
    }

    @Test
    void aLikeTravelsFromTheGatewayToTheFcmEmulator() {
        String alice = "alice-" + UUID.randomUUID();
        String token = "fcm-token-" + UUID.randomUUID();
        registerFcmDevice(alice, token);

        String eventId = publish("""
                {"type":"product_like","actor":{"id":"bob","displayName":"Bob"},"recipients":["%s"],
                 "object":{"id":"p-1","kind":"product","title":"Red bike"},
                 "data":{"productId":"p-1","price":"120"},"priority":"high"}
                """.formatted(alice));

        FcmEmulator.Received received = awaitMessageFor(token);
        JsonNode message = received.message();
        assertThat(received.project()).isEqualTo("herald-dev");
        assertThat(message.path("token").asString()).isEqualTo(token);
        assertThat(message.path("notification").path("title").asString()).isEqualTo("Your product was liked");
        assertThat(message.path("notification").path("body").asString())
                .isEqualTo("Bob liked your product \"Red bike\"");
        JsonNode data = message.path("data");
        assertThat(data.path("productId").isString()).isTrue();
        assertThat(data.path("productId").asString()).isEqualTo("p-1");
        assertThat(data.path("price").isString())
                .as("data values travel as strings")
                .isTrue();
        assertThat(data.path("price").asString()).isEqualTo("120");
        assertThat(data.path("herald.eventId").asString()).isEqualTo(eventId);
        assertThat(data.path("type").asString()).isEqualTo("product_like");
        assertThat(message.path("android").path("priority").asString()).isEqualToIgnoringCase("high");
        assertThat(message.path("apns")
                        .path("payload")
                        .path("aps")
                        .path("sound")
                        .asString())
                .isEqualTo("default");

        // The in-app copy lands in the inbox too.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode inbox =
                    getJson(stack.urls().get("ws-fanout-internal") + "/internal/v1/users/" + alice + "/notifications");
            assertThat(inbox.path("items")).hasSize(1);
            assertThat(inbox.path("items").get(0).path("id").asString())
                    .isEqualTo(Ids.notificationId(UUID.fromString(eventId), DevStack.APP_NAME, alice)
                            .toString());
        });
    }

    @Test
    void twoAppsUsingTheSameEventIdBothReachThePhoneAndTheInbox() throws Exception {
        String alice = "alice-" + UUID.randomUUID();
        String token = "fcm-token-" + UUID.randomUUID();
        registerFcmDevice(alice, token);
        UUID eventId = UUID.randomUUID();
        var props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (String app : List.of("shop", "chat")) {
                producer.send(new ProducerRecord<>(
                                Topics.EVENTS, eventId.toString(), """
                                {"eventId":"%s","schemaVersion":1,"type":"chat","source":"%s","occurredAt":"2026-12-07T10:00:00Z",
                                 "recipients":["%s"],"title":"From %s","body":"Hello"}""".formatted(eventId, app, alice, app)))
                        .get();
            }
        }

        await().atMost(Duration.ofSeconds(60))
                .until(() -> stack.fcm().received().stream()
                                .filter(r ->
                                        r.message().path("token").asString().equals(token))
                                .count()
                        == 2);
        assertThat(stack.fcm().received().stream()
                        .filter(r -> r.message().path("token").asString().equals(token))
                        .map(r -> r.message().path("notification").path("title").asString()))
                .containsExactlyInAnyOrder("From shop", "From chat");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode inbox =
                    getJson(stack.urls().get("ws-fanout-internal") + "/internal/v1/users/" + alice + "/notifications");
            assertThat(inbox.path("items").findValuesAsString("id"))
                    .containsExactlyInAnyOrder(
                            Ids.notificationId(eventId, "shop", alice).toString(),
                            Ids.notificationId(eventId, "chat", alice).toString());
        });
    }

    @Test
    void likingYourOwnProductSendsYouNothing() throws Exception {
        String seller = "seller-" + UUID.randomUUID();
        String watcher = "watcher-" + UUID.randomUUID();
        String sellerToken = "fcm-token-" + UUID.randomUUID();
        String watcherToken = "fcm-token-" + UUID.randomUUID();
        registerFcmDevice(seller, sellerToken);
        registerFcmDevice(watcher, watcherToken);

        String eventId = publish("""
                {"type":"product_like","actor":{"id":"%s","displayName":"Sam"},"recipients":["%s","%s"],
                 "object":{"id":"p-2","kind":"product","title":"Blue lamp"}}
                """.formatted(seller, seller, watcher));

        // The other recipient hears about it, so the event was routed; once token-service's router has committed it,
        // every push it made is on herald.push.v1.
        awaitMessageFor(watcherToken);
        awaitRoutedSoFar();
        List<PushDelivery> pushes = pushesOf(UUID.fromString(eventId));
        assertThat(pushes).extracting(PushDelivery::userId).containsExactly(watcher);
        assertThat(stack.fcm().received())
                .noneMatch(r -> r.message().path("token").asString().equals(sellerToken));
    }

    @Test
    void anEventsTraceFollowsItFromTheHttpRequestToItsPushAndInAppRecords() throws Exception {
        String alice = "alice-" + UUID.randomUUID();
        String token = "fcm-token-" + UUID.randomUUID();
        registerFcmDevice(alice, token);
        String traceId = HexFormat.of().formatHex(SecureRandom.getSeed(16));
        var request = HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/v1/events"))
                .header("Content-Type", "application/json")
                .header("X-Api-Key", stack.apiKey())
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"type":"product_like","actor":{"id":"bob","displayName":"Bob"},"recipients":["%s"],
                         "object":{"id":"p-3","kind":"product","title":"Green chair"}}
                        """.formatted(alice)))
                .build();
        String eventId;
        try (var http = HttpClient.newHttpClient()) {
            var response = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            eventId = HeraldJson.mapper()
                    .readTree(response.body())
                    .path("eventId")
                    .asString();
        }
        awaitMessageFor(token);

        for (String topic : List.of(Topics.EVENTS, Topics.PUSH, Topics.INAPP)) {
            var records =
                    recordsOf(topic).stream().filter(r -> mentions(r, eventId)).toList();
            assertThat(records).as(topic).isNotEmpty();
            assertThat(records)
                    .as("the trace id on %s", topic)
                    .allSatisfy(r -> assertThat(TraceContext.traceId(TraceContext.traceparent(r.headers())))
                            .isEqualTo(traceId));
        }
    }

    @Test
    void everyServiceIsReadyAndExportsItsMetricsIncludingConsumerLag() throws Exception {
        // One delivery first, so that the per-delivery metrics exist.
        String user = "metrics-" + UUID.randomUUID();
        String token = "fcm-token-" + UUID.randomUUID();
        registerFcmDevice(user, token);
        publish("""
                {"type":"order_created","recipients":["%s"],"object":{"id":"o-1","kind":"order","title":"#1"}}
                """.formatted(user));
        awaitMessageFor(token);
        // ws-fanout's actuator is on its internal port, with the internal API; the WebSocket port has no HTTP API.
        // The gateway's is on its management port, never published.
        String fanout = stack.urls().get("ws-fanout-internal");
        var services = new LinkedHashMap<String, String>();
        services.put("gateway-service", stack.urls().get("gateway-management"));
        services.put("token-service", stack.urls().get("token-service"));
        services.put("dispatch-service", stack.urls().get("dispatch-service"));
        services.put("ws-fanout-service", fanout);
        for (var service : services.entrySet()) {
            var ready = http.send(
                    HttpRequest.newBuilder(URI.create(service.getValue() + "/actuator/health/readiness"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode())
                    .as(service.getKey() + ": " + ready.body())
                    .isEqualTo(200);
            assertThat(ready.body()).as(service.getKey()).contains("\"kafka\"");
            var metrics = http.send(
                    HttpRequest.newBuilder(URI.create(service.getValue() + "/actuator/prometheus"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).as(service.getKey()).isEqualTo(200);
            assertThat(metrics.body()).as(service.getKey()).contains("application=\"" + service.getKey() + "\"");
            if (!service.getKey().equals("gateway-service")) {
                // Each consuming service reports how far behind its consumers are.
                assertThat(metrics.body())
                        .as(service.getKey())
                        .contains("kafka_consumer_fetch_manager_records_lag_max");
            }
        }
        assertThat(http.send(
                                HttpRequest.newBuilder(URI.create(fanout + "/actuator/prometheus"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body())
                .contains("herald_fanout_sockets_open");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(http.send(
                                        HttpRequest.newBuilder(URI.create(
                                                        services.get("dispatch-service") + "/actuator/prometheus"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body())
                        .contains(
                                "herald_dispatch_deliveries_total", "herald_dispatch_provider_latency_seconds_bucket"));
    }

    private static void registerFcmDevice(String userId, String token) {
        JsonNode jwt = postJson(stack.gatewayUrl() + "/dev/token", null, null, "{\"userId\":\"" + userId + "\"}", 200);
        String bearer = jwt.path("token").asString();
        JsonNode device = postJson(
                stack.gatewayUrl() + "/v1/devices",
                "Authorization",
                "Bearer " + bearer,
                "{\"provider\":\"fcm\",\"token\":\"" + token + "\",\"platform\":\"android\",\"locale\":\"en-US\"}",
                201);
        assertThat(device.path("provider").asString()).isEqualTo("fcm");
        assertThat(device.path("tokenSuffix").asString()).isEqualTo(token.substring(token.length() - 6));
    }

    private static String publish(String event) {
        JsonNode accepted = postJson(stack.gatewayUrl() + "/v1/events", "X-Api-Key", stack.apiKey(), event, 202);
        String eventId = accepted.path("eventId").asString();
        assertThat(eventId).isNotBlank();
        return eventId;
    }

    private static FcmEmulator.Received awaitMessageFor(String token) {
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> stack.fcm().received().stream()
                                .filter(r ->
                                        r.message().path("token").asString().equals(token))
                                .findFirst(),
                        Optional::isPresent)
                .orElseThrow();
    }

    /**
     * Waits until token-service's router has committed every event published so far: it commits a poll's offsets only
     * once every record it made of them is acknowledged by Kafka.
     */
    private static void awaitRoutedSoFar() throws Exception {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        Map<TopicPartition, Long> ends;
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            ends = consumer.endOffsets(consumer.partitionsFor(Topics.EVENTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList());
        }
        try (Admin admin = Admin.create(
                Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers()))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("herald-token-router")
                        .partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS);
                return ends.entrySet().stream()
                        .allMatch(e -> e.getValue() == 0
                                || (committed.get(e.getKey()) != null
                                        && committed.get(e.getKey()).offset() >= e.getValue()));
            });
        }
    }

    /**
     * Every record on herald.push.v1 up to its current end, filtered to one event. Other tests of the shared stack
     * leave records of their own there, some of them unreadable on purpose (TopicFuzzIT): only this event's are read.
     */
    private static List<PushDelivery> pushesOf(UUID eventId) {
        return recordsOf(Topics.PUSH).stream()
                .filter(r -> mentions(r, eventId.toString()))
                .map(r -> HeraldJson.mapper().readValue(r.value(), PushDelivery.class))
                .filter(push -> push.eventId().equals(eventId))
                .toList();
    }

    /** Whether the record has a value that contains {@code text} (some tests send records with none). */
    private static boolean mentions(ConsumerRecord<String, byte[]> record, String text) {
        return record.value() != null && new String(record.value(), StandardCharsets.UTF_8).contains(text);
    }

    /** Every record on {@code topic} up to its current end. */
    private static List<ConsumerRecord<String, byte[]>> recordsOf(String topic) {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "pipeline-it-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    found.add(record);
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
        }
        return found;
    }

    private static JsonNode postJson(
            String url, String headerName, String headerValue, String body, int expectedStatus) {
        var request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headerName != null) {
            request.header(headerName, headerValue);
        }
        return send(request.build(), expectedStatus);
    }

    private static JsonNode getJson(String url) {
        return send(
                HttpRequest.newBuilder(URI.create(url))
                        .header(InternalApiProperties.HEADER, stack.internalSecret())
                        .timeout(Duration.ofSeconds(15))
                        .GET()
                        .build(),
                200);
    }

    private static JsonNode send(HttpRequest request, int expectedStatus) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode())
                    .as("%s %s answered %s", request.method(), request.uri(), response.body())
                    .isEqualTo(expectedStatus);
            return HeraldJson.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
