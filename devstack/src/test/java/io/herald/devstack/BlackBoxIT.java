package io.herald.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.Topics;
import io.herald.testkit.fcm.FcmEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * Herald as an outsider meets it: the service jars started as {@code docker-compose.yml} starts them
 * ({@link JarStack}: separate processes, compose's environment, its memory limits), two instances of every
 * service but the gateway, driven only through the published contract — the gateway's HTTP API, the WebSocket and
 * raw records on {@code herald.events.v1}. Each test is a finding of the black-box run of 2026-12 (issue 23).
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class BlackBoxIT {

    private static final String JWT_SECRET = "black-box-jwt-secret-of-at-least-32-bytes";
    private static final String API_KEY = "hk_black_box_" + UUID.randomUUID();

    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static FcmEmulator fcm;
    private static JarStack stack;

    @BeforeAll
    static void start() throws Exception {
        fcm = FcmEmulator.start();
        Map<String, String> env = new HashMap<>();
        env.put("HERALD_JWT_HMAC_SECRET", JWT_SECRET);
        env.put("HERALD_API_KEY_NAME", "black-box");
        env.put("HERALD_API_KEY_SHA256", DevStack.sha256(API_KEY));
        env.put("HERALD_INTERNAL_SECRET", "black-box-internal-" + UUID.randomUUID());
        env.put("HERALD_FCM_PROJECT_ID", "herald-black-box");
        env.put("HERALD_FCM_BASE_URL", fcm.baseUrl());
        env.put("HERALD_FCM_ACCESS_TOKEN", "herald-emulator");
        env.put("HERALD_EXPO_ENABLED", "false");
        Map<String, Integer> counts = new LinkedHashMap<>();
        // token-service calls dispatch's and ws-fanout's internal APIs, dispatch ws-fanout's: callees first.
        counts.put("ws-fanout-service", 2);
        counts.put("dispatch-service", 2);
        counts.put("token-service", 2);
        counts.put("gateway-service", 1);
        stack = JarStack.start(env, counts);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (fcm != null) {
            fcm.close();
        }
    }

    /** Finding 1: subjects that need encoding (every Auth0 user's) registered devices but never got a push. */
    @Test
    void awkwardSubjectsGetTheirPushesTheirInboxAndTheirLiveNotifications() throws Exception {
        List<String> subjects = List.of(
                "auth0|5f7c8ec7c33c6c004bbafe82",
                "a+b@example.com",
                "google-oauth2|1/2",
                "100% sure",
                "émoji 😀 ünïcode",
                "x".repeat(255));
        for (String subject : subjects) {
            String jwt = jwt(subject, Instant.now().plus(Duration.ofHours(1)));
            String token = "fcm-black-box-" + UUID.randomUUID();
            var registered = call("POST", "/v1/devices", "Bearer " + jwt, """
                    {"provider":"fcm","token":"%s","platform":"android"}""".formatted(token));
            assertThat(registered.statusCode()).as(subject).isEqualTo(201);
            try (var socket = Socket.open(stack.socket(1), jwt)) {
                String eventId = publish(subject, "Hello");
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> pushesOf(eventId).contains(token));
                await().atMost(Duration.ofSeconds(30)).until(() -> socket.saw(eventId));
                // The inbox row may come a moment after the live frame (two consumer groups).
                await().atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> assertThat(json(call("GET", "/v1/inbox", "Bearer " + jwt, null))
                                        .path("items")
                                        .valueStream()
                                        .map(item -> item.path("data")
                                                .path("herald.eventId")
                                                .asString())
                                        .toList())
                                .as(subject)
                                .containsExactly(eventId));
            }
        }
    }

    /** Finding 2: one raw event with a NUL in a recipient held back the 60 good events of its poll. */
    @Test
    void oneBadRecipientFailsAloneAndTheRestOfItsPollIsDelivered() throws Exception {
        String user = "poll-" + UUID.randomUUID();
        String token = "fcm-black-box-" + UUID.randomUUID();
        register(user, token);
        List<String> good = new ArrayList<>();
        String bad = null;
        var props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "200"); // one batch, so one poll
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i <= 60; i++) {
                UUID eventId = Ids.newEventId();
                String recipient = i == 30 ? "bad\u0000user" : user;
                String event = HeraldJson.mapper()
                        .writeValueAsString(Map.of(
                                "eventId", eventId.toString(),
                                "schemaVersion", 1,
                                "type", "product_like",
                                "source", "black-box",
                                "occurredAt", Instant.now().toString(),
                                "actor", Map.of("id", "bob", "displayName", "Bob"),
                                "recipients", List.of(recipient),
                                "object", Map.of("id", "p-" + i, "title", "Bike " + i)));
                producer.send(new ProducerRecord<>(
                        Topics.EVENTS, eventId.toString(), event.getBytes(StandardCharsets.UTF_8)));
                if (i != 30) {
                    good.add(eventId.toString());
                } else {
                    bad = eventId.toString();
                }
            }
            producer.flush();
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> good.stream().allMatch(id -> pushesOf(id).contains(token)));
        String badId = bad;
        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetterReason(Topics.EVENTS_DLT, badId) != null);
        assertThat(deadLetterReason(Topics.EVENTS_DLT, badId)).isNotEqualTo("processing-failed");
    }

    /** The {@code herald-dlt-reason-code} of the dead letter keyed {@code key} on {@code topic}, or null. */
    private static String deadLetterReason(String topic, String key) {
        var props = new Properties();
        props.put("bootstrap.servers", stack.kafkaBootstrapServers());
        props.put("auto.offset.reset", "earliest");
        props.put("enable.auto.commit", "false");
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    if (key.equals(record.key())) {
                        var code = record.headers().lastHeader("herald-dlt-reason-code");
                        return code == null ? "" : new String(code.value(), StandardCharsets.UTF_8);
                    }
                }
            }
            return null;
        }
    }

    /** Finding 4: a 200 MB body to POST /v1/devices ran the gateway out of memory and it exited. */
    @Test
    void a200MegabyteBodyIsRefusedWith413AndTheGatewayStaysUp() throws Exception {
        String jwt = jwt("big-body", Instant.now().plus(Duration.ofHours(1)));
        for (boolean chunked : new boolean[] {false, true}) {
            var answer = HugeBody.send(
                    stack.gateway(), "POST", "/v1/devices", Map.of("Authorization", "Bearer " + jwt), chunked);
            assertThat(answer.status()).as("chunked " + chunked).isEqualTo(413);
            assertThat(answer.handedOut()).as("bytes taken before answering").isLessThan(16L << 20);
            assertThat(stack.alive("gateway-service-0")).isTrue();
        }
        assertThat(call("GET", "/v1/devices", "Bearer " + jwt, null).statusCode())
                .isEqualTo(200);
    }

    /** Finding 10: a JWT with no {@code exp} was accepted, so a leaked one never expires. */
    @Test
    void aJwtWithoutExpiryIsRefused() throws Exception {
        assertThat(call("GET", "/v1/devices", "Bearer " + jwt("no-expiry", null), null)
                        .statusCode())
                .isEqualTo(401);
    }

    /** Finding 11: token-service's internal API answered anyone who could reach it. */
    @Test
    void internalApisRefuseCallsWithoutTheServiceCredential() throws Exception {
        URI token = stack.instance("token-service-0").url("HERALD_TOKEN_PORT");
        var answer = http.send(
                HttpRequest.newBuilder(token.resolve("/internal/v1/users/alice/devices"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(401);
    }

    /**
     * Finding 8: with two token-service instances, a token that moved to another user went on receiving the previous
     * owner's pushes from the instance that had not taken the registration.
     */
    @Test
    void aTokenMovedToAnotherUserNoLongerGetsTheFirstOwnersPushes() throws Exception {
        String first = "first-" + UUID.randomUUID();
        String second = "second-" + UUID.randomUUID();
        String token = "fcm-shared-phone-" + UUID.randomUUID();
        register(first, token);
        // Both instances route some of these, and keep the first owner's devices in their caches.
        List<String> before = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            before.add(publish(first, "before " + i));
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> before.stream().allMatch(id -> pushesOf(id).contains(token)));

        register(second, token);
        List<String> after = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            after.add(publish(first, "after " + i));
        }
        // Each event's push decision is in its delivery log: wait until all are decided, then count.
        await().atMost(Duration.ofSeconds(30)).until(() -> after.stream().allMatch(BlackBoxIT::pushDecided));
        assertThat(after.stream().filter(id -> pushesOf(id).contains(token)).toList())
                .as("the first owner's pushes that reached the second owner's phone")
                .isEmpty();
    }

    // --- the published contract, as a client uses it ---

    private static String jwt(String subject, Instant expiresAt) throws Exception {
        var claims = new JWTClaimsSet.Builder().subject(subject).issueTime(new Date());
        if (expiresAt != null) {
            claims.expirationTime(Date.from(expiresAt));
        }
        var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        jwt.sign(new MACSigner(JWT_SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private static void register(String user, String token) throws Exception {
        var answer = call(
                "POST", "/v1/devices", "Bearer " + jwt(user, Instant.now().plus(Duration.ofHours(1))), """
                {"provider":"fcm","token":"%s","platform":"android"}""".formatted(
                                token));
        assertThat(answer.statusCode()).as(answer.body()).isIn(200, 201);
    }

    private static String publish(String recipient, String title) throws Exception {
        String body = HeraldJson.mapper()
                .writeValueAsString(Map.of(
                        "type",
                        "chat",
                        "recipients",
                        List.of(recipient),
                        "actor",
                        Map.of("id", "sam", "displayName", "Sam"),
                        "title",
                        title,
                        "body",
                        "from the black box"));
        var answer = call("POST", "/v1/events", null, body);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        return json(answer).path("eventId").asString();
    }

    /** Whether the event's push to its recipient is decided: sent somewhere, or skipped. */
    private static boolean pushDecided(String eventId) {
        HttpResponse<String> answer;
        try {
            answer = call("GET", "/v1/events/" + eventId, null, null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        if (answer.statusCode() != 200) {
            return false;
        }
        for (JsonNode delivery : json(answer).path("deliveries")) {
            String outcome = delivery.path("outcome").asString();
            if (delivery.path("channel").asString().equals("push") && !outcome.equals("planned")) {
                return true;
            }
        }
        return false;
    }

    /** The tokens FCM received a push of {@code eventId} for. */
    private static List<String> pushesOf(String eventId) {
        return fcm.received().stream()
                .filter(r -> r.message()
                        .path("data")
                        .path("herald.eventId")
                        .asString("")
                        .equals(eventId))
                .map(r -> r.message().path("token").asString())
                .toList();
    }

    private static HttpResponse<String> call(String method, String path, String bearer, String body) throws Exception {
        var request = HttpRequest.newBuilder(stack.gateway().resolve(path)).timeout(Duration.ofSeconds(30));
        if (bearer != null) {
            request.header("Authorization", bearer);
        } else {
            request.header("X-Api-Key", API_KEY);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return HeraldJson.mapper().readTree(response.body());
    }

    /** A WebSocket of one user, keeping the text frames it receives. */
    private static final class Socket implements WebSocket.Listener, AutoCloseable {

        private final List<String> frames = new CopyOnWriteArrayList<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static Socket open(URI url, String jwt) throws Exception {
            var listener = new Socket();
            listener.socket = http.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + jwt)
                    .buildAsync(url, listener)
                    .get(10, TimeUnit.SECONDS);
            return listener;
        }

        boolean saw(String eventId) {
            return frames.stream().anyMatch(f -> f.contains(eventId));
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(5, TimeUnit.SECONDS);
        }
    }
}
