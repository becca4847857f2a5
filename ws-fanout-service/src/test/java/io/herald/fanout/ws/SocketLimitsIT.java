package io.herald.fanout.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.testkit.ServiceInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * What one node takes from hostile or broken clients: connections that never finish their handshake, more sockets
 * than a user or the node may hold, floods of messages of every type, tokens that expire. One node with small
 * limits, a real Kafka broker and PostgreSQL.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SocketLimitsIT {

    private static final int HANDSHAKE_TIMEOUT_SECONDS = 1;
    private static final int MAX_SOCKETS = 12;
    private static final int MAX_SOCKETS_PER_USER = 3;
    private static final int MAX_MESSAGES_PER_SECOND = 20;

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("socket_limits");

    static ConfigurableApplicationContext node;
    static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void startNode() {
        node = TestNode.start(
                "limits",
                infra.bootstrapServers(),
                infra.database(),
                "--herald.fanout.ws.handshake-timeout=" + HANDSHAKE_TIMEOUT_SECONDS + "s",
                "--herald.fanout.ws.max-sockets=" + MAX_SOCKETS,
                "--herald.fanout.ws.max-sockets-per-user=" + MAX_SOCKETS_PER_USER,
                "--herald.fanout.ws.max-messages-per-second=" + MAX_MESSAGES_PER_SECOND);
        producer = infra.producer();
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close();
        }
        if (node != null) {
            node.close();
        }
    }

    /** Each test starts with no socket open, so the node's limit is the test's own. */
    @BeforeEach
    void noSocketOpen() {
        var registry = node.getBean(SessionRegistry.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.size() == 0);
    }

    @Test
    void connectionsThatNeverFinishTheirHandshakeAreClosedWithinTheHandshakeTimeout() throws Exception {
        List<String> starts = List.of(
                "", // connects and says nothing
                "G",
                "GET /ws/notifications HTTP/1.1", // one request line, not even its end
                "GET /ws/notifications HTTP/1.1\r\nHost: herald\r\n", // headers, never their end
                "GET /ws/notifications HTTP/1.1\r\nHost: herald\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                        + "Authorization: Bearer " + TestTokens.jwt("half-open") + "\r\n");
        List<Socket> half = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                var socket = new Socket();
                socket.connect(new InetSocketAddress("127.0.0.1", TestNode.port(node)), 5_000);
                socket.setSoTimeout(15_000);
                OutputStream out = socket.getOutputStream();
                out.write(starts.get(i % starts.size()).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                half.add(socket);
            }
            long opened = System.nanoTime();
            for (Socket socket : half) {
                try {
                    InputStream in = socket.getInputStream();
                    assertThat(in.read())
                            .as("the server closes without answering")
                            .isEqualTo(-1);
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("a half-open handshake was still open after 15 s", e);
                } catch (IOException reset) {
                    // closed, with a reset: as good
                }
            }
            assertThat(Duration.ofNanos(System.nanoTime() - opened))
                    .isLessThan(Duration.ofSeconds(HANDSHAKE_TIMEOUT_SECONDS + 4));
            assertThat(closed("handshake_timeout")).isGreaterThanOrEqualTo(100);
        } finally {
            for (Socket socket : half) {
                socket.close();
            }
        }
        // A client that does finish its handshake is served as ever.
        try (var socket = TestNode.connect(node, "u-" + UUID.randomUUID())) {
            assertThat(socket.ask("{\"type\":\"ping\"}", "pong")).isNotNull();
        }
    }

    @Test
    void oneSocketMoreThanAUserMayHoldIsClosedWith4030AndTheOthersStay() {
        String user = "u-" + UUID.randomUUID();
        List<TestSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_SOCKETS_PER_USER; i++) {
                var socket = TestNode.connect(node, user);
                socket.next("unread_count");
                sockets.add(socket);
            }
            double before = closed("user_full");
            try (var extra = TestNode.connect(node, user)) {
                assertThat(extra.closeCode()).isEqualTo(4030);
                assertThat(closed("user_full")).isEqualTo(before + 1);
                assertThat(extra.has("unread_count")).isFalse();
            }
            for (TestSocket socket : sockets) {
                assertThat(socket.ask("{\"type\":\"ping\"}", "pong")).isNotNull();
            }
            // Another user is not limited by this one.
            try (var other = TestNode.connect(node, "u-" + UUID.randomUUID())) {
                assertThat(other.ask("{\"type\":\"ping\"}", "pong")).isNotNull();
            }
            // One socket closed makes room for the next.
            sockets.removeFirst().close();
            var registry = node.getBean(SessionRegistry.class);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> registry.sessionsOf(user).size() < MAX_SOCKETS_PER_USER);
            var again = TestNode.connect(node, user);
            sockets.add(again);
            assertThat(again.ask("{\"type\":\"ping\"}", "pong")).isNotNull();
        } finally {
            sockets.forEach(TestSocket::close);
        }
    }

    private static double closed(String reason) {
        return node.getBean(MeterRegistry.class)
                .counter("herald.fanout.sockets.closed", "reason", reason)
                .count();
    }

    @Test
    void oneSocketMoreThanTheNodeMayHoldIsClosedWith1013() {
        List<TestSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_SOCKETS; i++) {
                var socket = TestNode.connect(node, "full-" + (i / MAX_SOCKETS_PER_USER) + "-" + UUID.randomUUID());
                socket.next("unread_count");
                sockets.add(socket);
            }
            try (var extra = TestNode.connect(node, "u-" + UUID.randomUUID())) {
                assertThat(extra.closeCode()).isEqualTo(1013);
            }
            assertThat(sockets.getLast().ask("{\"type\":\"ping\"}", "pong")).isNotNull();
        } finally {
            sockets.forEach(TestSocket::close);
        }
    }

    @Test
    void aSocketIsClosedWith4001WhenItsTokenExpires() {
        String user = "u-" + UUID.randomUUID();
        try (var socket = TestSocket.connect(
                TestNode.url(node),
                b -> b.header("Authorization", "Bearer " + TestTokens.jwt(user, TestTokens.SECRET, 3)))) {
            assertThat(socket.ask("{\"type\":\"ping\"}", "pong")).isNotNull();
            long open = System.nanoTime();
            assertThat(socket.closeCode()).isEqualTo(4001);
            assertThat(Duration.ofNanos(System.nanoTime() - open)).isLessThan(Duration.ofSeconds(8));
        }
    }

    /**
     * The fuzz bar: every message type, valid or not, at 1,000 messages a second from one client. The client is
     * told it is over the limit, then closed with 4029; nothing queues without bound, and another user's socket
     * keeps its answers and its live notifications all along.
     */
    @Test
    void aClientSendingAThousandMessagesASecondOfAnyTypeIsCutOffAndOthersAreUnaffected() throws Exception {
        String someId = UUID.randomUUID().toString();
        List<String> messages = List.of(
                "{\"type\":\"ping\"}",
                "{\"type\":\"get_notifications\",\"page\":1,\"page_size\":100}",
                "{\"type\":\"get_unread_count\"}",
                "{\"type\":\"mark_read\",\"id\":\"" + someId + "\"}",
                "{\"type\":\"mark_all_read\"}",
                "{\"type\":\"delete_notification\",\"id\":\"" + someId + "\"}",
                "{\"type\":\"resume\",\"last_id\":\"" + someId + "\"}",
                "{\"type\":\"resume\",\"position\":\"0:0\"}",
                "{\"type\":\"work_response\",\"work_id\":\"w-1\",\"accepted\":true}",
                "{\"type\":\"launch_rockets\"}",
                "{not json",
                "{\"type\":\"ping\",\"padding\":\"" + "x".repeat(7_000) + "\"}");
        String observerUser = "observer-" + UUID.randomUUID();
        try (var observer = TestNode.connect(node, observerUser);
                var ticker = Executors.newSingleThreadScheduledExecutor()) {
            observer.next("unread_count");
            for (String message : messages) {
                try (var flooder = TestNode.connect(node, "flood-" + UUID.randomUUID())) {
                    flood(flooder, message, observer, observerUser, ticker);
                }
            }
            assertThat(observer.has("error")).isFalse();
        }
        // Nothing failed inside: the node reports itself healthy.
        int internalPort = Integer.parseInt(node.getEnvironment().getRequiredProperty("local.server.port"));
        HttpResponse<String> health = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + internalPort + "/actuator/health"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
    }

    /** Sends {@code message} 1,000 times at 1,000 a second from {@code flooder} while the observer is served. */
    private static void flood(
            TestSocket flooder,
            String message,
            TestSocket observer,
            String observerUser,
            ScheduledExecutorService ticker)
            throws Exception {
        var sent = new AtomicInteger();
        var done = new CountDownLatch(1);
        // 1,000 a second: one each millisecond.
        var flood = ticker.scheduleAtFixedRate(
                () -> {
                    try {
                        if (sent.get() >= 1_000) {
                            done.countDown();
                            return;
                        }
                        flooder.send(message);
                        sent.incrementAndGet();
                    } catch (CompletionException | IllegalStateException closed) {
                        done.countDown();
                    }
                },
                0,
                1,
                TimeUnit.MILLISECONDS);
        try {
            // Meanwhile the observer is answered at once and gets its notification live.
            var slowest = new AtomicLong();
            var notification = TestNode.notification(observerUser, "product_like", message, Map.of());
            TestNode.publish(producer, notification);
            while (done.getCount() > 0) {
                long asked = System.nanoTime();
                observer.ask("{\"type\":\"ping\"}", "pong");
                slowest.accumulateAndGet(System.nanoTime() - asked, Math::max);
            }
            assertThat(Duration.ofNanos(slowest.get())).as(message).isLessThan(Duration.ofSeconds(1));
            assertThat(observer.next("notification")
                            .path("notification")
                            .path("id")
                            .asString())
                    .isEqualTo(notification.notificationId().toString());
        } finally {
            flood.cancel(false);
        }
        String what = message.length() > 60 ? message.substring(0, 60) : message;
        assertThat(flooder.closeCode())
                .as("%s: closed for going on far over the message rate", what)
                .isEqualTo(4029);
        JsonNode warning = flooder.next("error");
        while (!warning.path("code").asString().equals("rate_limited")) {
            warning = flooder.next("error");
        }
        assertThat(warning.path("message").asString()).as(what).contains("20 messages a second");
        // Cut off well before the thousand: nothing piles up for it.
        assertThat(sent.get()).as(what).isLessThan(1_000);
    }
}
