package io.herald.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.HeraldJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import tools.jackson.databind.JsonNode;

/**
 * What the seeds' clients do against a dev stack: their app's backend calls to the gateway, and their sockets (a
 * browser's {@code new WebSocket(url)}: no header, the JWT in the URL).
 */
final class SeedClient {

    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final DevStack stack;

    SeedClient(DevStack stack) {
        this.stack = stack;
    }

    /** The socket port's base URL, {@code ws://host:port}. */
    String socketBase() {
        String url = stack.webSocketUrl();
        return url.substring(0, url.indexOf("/ws/"));
    }

    /** A dev JWT for {@code userId} (the gateway's {@code /dev/token}). */
    String jwt(String userId) {
        return call("POST", stack.gatewayUrl() + "/dev/token", null, "{\"userId\":\"" + userId + "\"}", 200)
                .path("token")
                .asString();
    }

    /** Registers an FCM token of {@code userId}, as the seed's app does with its own token endpoint. */
    void registerFcm(String jwt, String token) {
        call(
                "POST",
                stack.gatewayUrl() + "/v1/devices",
                "Bearer " + jwt,
                "{\"provider\":\"fcm\",\"token\":\"" + token + "\",\"platform\":\"android\",\"locale\":\"en-US\"}",
                201);
    }

    /** The app's backend publishes an event through the gateway; its event id. */
    String publish(String event) {
        String eventId = call("POST", stack.gatewayUrl() + "/v1/events", "key", event, 202)
                .path("eventId")
                .asString();
        assertThat(eventId).isNotBlank();
        return eventId;
    }

    /** {@code GET /v1/events/{eventId}} with the app's key: what became of it, or empty before it is known. */
    Optional<JsonNode> eventStatus(String eventId) {
        HttpResponse<String> response = send(request("GET", stack.gatewayUrl() + "/v1/events/" + eventId, "key", null));
        return response.statusCode() == 200
                ? Optional.of(HeraldJson.mapper().readTree(response.body()))
                : Optional.empty();
    }

    /** Every record on {@code topic} up to its end now, read by a consumer of its own. */
    List<ConsumerRecord<String, byte[]>> records(String topic) {
        var props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "seed-it-" + UUID.randomUUID());
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
                consumer.poll(Duration.ofMillis(200)).forEach(found::add);
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
        }
        return found;
    }

    private JsonNode call(String method, String url, String credential, String body, int expectedStatus) {
        HttpResponse<String> response = send(request(method, url, credential, body));
        assertThat(response.statusCode())
                .as("%s %s answered %s", method, url, response.body())
                .isEqualTo(expectedStatus);
        return HeraldJson.mapper().readTree(response.body());
    }

    private HttpRequest request(String method, String url, String credential, String body) {
        var request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(15))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if ("key".equals(credential)) {
            request.header("X-Api-Key", stack.apiKey());
        } else if (credential != null) {
            request.header("Authorization", credential);
        }
        return request.build();
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A browser's WebSocket: opened with the URL alone, every message it gets kept until a test takes it. */
    static final class BrowserSocket implements WebSocket.Listener, AutoCloseable {

        private final List<JsonNode> received = new ArrayList<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        /** {@code new WebSocket(url)}. */
        static BrowserSocket open(String url) {
            var listener = new BrowserSocket();
            listener.socket = http.newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(30))
                    .buildAsync(URI.create(url), listener)
                    .join();
            return listener;
        }

        /** {@code websocket.send(text)}. */
        void send(String text) {
            socket.sendText(text, true).join();
        }

        /** The oldest message of {@code type} not taken yet; the others stay. */
        JsonNode next(String type) {
            return await().atMost(Duration.ofSeconds(60))
                    .until(() -> take(type), Optional::isPresent)
                    .orElseThrow();
        }

        /** The oldest message of either type not taken yet. */
        JsonNode nextOf(String type, String otherType) {
            return await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> {
                                Optional<JsonNode> first = take(type);
                                return first.isPresent() ? first : take(otherType);
                            },
                            Optional::isPresent)
                    .orElseThrow();
        }

        /** Every message received and not taken, oldest first. */
        List<JsonNode> pending() {
            synchronized (received) {
                return List.copyOf(received);
            }
        }

        private Optional<JsonNode> take(String type) {
            synchronized (received) {
                for (var it = received.iterator(); it.hasNext(); ) {
                    JsonNode message = it.next();
                    if (message.path("type").asString().equals(type)) {
                        it.remove();
                        return Optional.of(message);
                    }
                }
                return Optional.empty();
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                synchronized (received) {
                    received.add(HeraldJson.mapper().readTree(partial.toString()));
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
            socket.abort();
        }
    }
}
