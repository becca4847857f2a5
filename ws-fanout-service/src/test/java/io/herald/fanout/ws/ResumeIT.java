package io.herald.fanout.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.HeraldJson;
import io.herald.events.InAppNotification;
import io.herald.events.Topics;
import io.herald.testkit.ServiceInfrastructure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import tools.jackson.databind.JsonNode;

/**
 * {@code resume} is exact: across a reconnect each notification reaches a client once, none missing, whatever
 * the node it left had pushed and whatever the inbox had stored. Nodes A and B (B waits at most 3 s for the inbox)
 * share a real Kafka broker and PostgreSQL; a third is started and stopped under a stream of notifications.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ResumeIT {

    private static final String TYPE = "product_like";

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("resume");

    static ConfigurableApplicationContext nodeA;
    static ConfigurableApplicationContext nodeB;
    static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void startNodes() {
        nodeA = TestNode.start("resume-a", infra.bootstrapServers(), infra.database());
        nodeB = TestNode.start(
                "resume-b", infra.bootstrapServers(), infra.database(), "--herald.fanout.ws.resume-wait=3s");
        producer = infra.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, "5"));
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close();
        }
        for (var node : List.of(nodeA, nodeB)) {
            if (node != null) {
                node.close();
            }
        }
    }

    /**
     * 40 clients on node C, 3,000 notifications at a steady 300 a second; C stops a third of the way through, and
     * every client reconnects to another node and resumes, from the stream position of the newest notification it
     * has for sure ({@link Client}) or (as clients before positions did) from its id. Each gets each of its
     * notifications exactly once.
     */
    @ParameterizedTest(name = "resume by position: {0}")
    @ValueSource(booleans = {true, false})
    void whenANodeStopsMidStreamEveryClientGetsEachNotificationExactlyOnce(boolean byPosition) throws Exception {
        var nodeC = TestNode.start("resume-c-" + UUID.randomUUID(), infra.bootstrapServers(), infra.database());
        List<Client> clients = new ArrayList<>();
        var stream = Executors.newSingleThreadScheduledExecutor();
        var streamed = new AtomicBoolean();
        try {
            for (int i = 0; i < 40; i++) {
                // Every other client is slow to resume: its new socket brings live notifications first, as a
                // busy client's does once the resume window has passed.
                var client = new Client("u-" + i + "-" + UUID.randomUUID(), byPosition, i % 4 >= 2, streamed::get);
                client.connect(TestNode.url(nodeC));
                clients.add(client);
            }
            Map<String, Set<String>> published = new ConcurrentHashMap<>();
            clients.forEach(c -> published.put(c.user, ConcurrentHashMap.newKeySet()));
            var sent = new AtomicInteger();
            var streaming = stream.scheduleAtFixedRate(
                    () -> {
                        for (int k = 0; k < 3 && sent.get() < 3_000; k++) {
                            Client to = clients.get(sent.get() % clients.size());
                            InAppNotification n = TestNode.notification(to.user, TYPE, "n " + sent.get(), Map.of());
                            published.get(to.user).add(n.notificationId().toString());
                            producer.send(new ProducerRecord<>(
                                    Topics.INAPP, to.user, HeraldJson.mapper().writeValueAsBytes(n)));
                            sent.incrementAndGet();
                        }
                    },
                    0,
                    10,
                    TimeUnit.MILLISECONDS);

            // A third of the way, every client having had something from C: C stops (its clients get 1001), and
            // they go to A or B, resuming.
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> sent.get() >= 1_000 && clients.stream().allMatch(c -> c.resumeFrom != null));
            for (int i = 0; i < clients.size(); i++) {
                clients.get(i).reconnectTo = TestNode.url(i % 2 == 0 ? nodeB : nodeA);
            }
            nodeC.close();

            await().atMost(Duration.ofSeconds(60)).until(() -> sent.get() >= 3_000);
            streaming.cancel(false);
            producer.flush();
            streamed.set(true);
            try {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> clients.stream()
                                .allMatch(c -> c.received.keySet().containsAll(published.get(c.user))));
            } catch (ConditionTimeoutException e) {
                // Some never came: the assertions below say how many.
            }

            int twice = 0;
            int missing = 0;
            for (Client client : clients) {
                twice += (int) client.received.entrySet().stream()
                        .filter(e -> e.getValue() > 1 && !client.mayComeAgain.contains(e.getKey()))
                        .count();
                missing += (int) published.get(client.user).stream()
                        .filter(id -> !client.received.containsKey(id))
                        .count();
            }
            var stories = new ArrayList<String>();
            for (Client client : clients) {
                long lost = published.get(client.user).stream()
                        .filter(id -> !client.received.containsKey(id))
                        .count();
                long again =
                        client.received.values().stream().filter(n -> n > 1).count();
                long allowed = client.mayComeAgain.size();
                if (lost > 0 || again > 0) {
                    WebSocket current = client.socket;
                    stories.add(client.user + " missing " + lost + ", twice " + again + " (" + allowed
                            + " brought before an unanswered resume), socket "
                            + (current == null || current.isInputClosed() ? "closed" : "open") + ": " + client.story);
                }
            }
            assertThat("%d received more than once, %d missing".formatted(twice, missing))
                    .as("clients missing some: %s", stories)
                    .isEqualTo("0 received more than once, 0 missing");
            for (Client client : clients) {
                assertThat(client.received.keySet()).isEqualTo(published.get(client.user));
                assertThat(client.refusals).as("no resume refused").isEmpty();
                assertThat(client.resumes.get()).as("resumed at least once").isPositive();
            }
            assertThat(clients.stream().mapToInt(c -> c.received.size()).sum()).isEqualTo(3_000);
        } finally {
            stream.shutdownNow();
            clients.forEach(Client::close);
            nodeC.close();
        }
    }

    /**
     * The client's last notification was pushed live before the inbox stored it, and another came while it was
     * away: the resume waits for the inbox writers to store them rather than answer at once with nothing.
     */
    @Test
    void aResumeFromANotificationNotStoredYetWaitsForTheInboxAndReplaysWhatFollowedIt() {
        String user = "u-" + UUID.randomUUID();
        try (var writers = new PausedWriters()) {
            InAppNotification seen = TestNode.notification(user, TYPE, "seen", Map.of());
            InAppNotification missed = TestNode.notification(user, TYPE, "missed", Map.of());
            try (var first = TestNode.connect(nodeA, user)) {
                first.next("unread_count");
                TestNode.publish(producer, seen);
                assertThat(first.next("notification")
                                .path("notification")
                                .path("id")
                                .asString())
                        .isEqualTo(seen.notificationId().toString());
            }
            var missedAt = TestNode.publish(producer, missed);
            // Node A's live path has passed it with no socket of the user open: only the inbox can bring it back.
            var frontier = nodeA.getBean(LiveFrontier.class);
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            frontier.await(missedAt.partition(), Duration.ZERO).orElse(-1) > missedAt.offset());

            try (var again = TestNode.connect(nodeA, user)) {
                again.send("{\"type\":\"resume\",\"last_id\":\"" + seen.notificationId() + "\"}");
                // Nothing stored yet: it waits instead of answering that nothing was missed.
                await("the resume waiting for the inbox writers")
                        .during(Duration.ofSeconds(1))
                        .atMost(Duration.ofSeconds(3))
                        .until(() -> !again.has("resumed") && !again.has("notification"));
                writers.resume();
                JsonNode replayed = again.next("notification");
                assertThat(replayed.path("notification").path("id").asString())
                        .isEqualTo(missed.notificationId().toString());
                assertThat(again.next("resumed").path("replayed").asInt()).isEqualTo(1);
                assertThat(again.has("notification")).isFalse();
            }
        }
    }

    /**
     * The client's {@code resume} comes after its new socket's {@code resume-window}, when a live notification has
     * flowed on it already (a client slow to send it, as under load). Resumed from the last notification of its
     * previous socket, it gets what it missed in between once, and not again the one this socket brought. (Resumed
     * from the one this socket brought, it would rightly be told that nothing followed it: the gap before it is the
     * client's to remember.)
     */
    @ParameterizedTest(name = "resume by position: {0}")
    @ValueSource(booleans = {true, false})
    void aResumeSentAfterLiveNotificationsFlowedOnTheNewSocketReplaysOnlyTheGap(boolean byPosition) {
        String user = "u-" + UUID.randomUUID();
        InAppNotification seen = TestNode.notification(user, TYPE, "seen", Map.of());
        InAppNotification missed = TestNode.notification(user, TYPE, "missed", Map.of());
        InAppNotification live = TestNode.notification(user, TYPE, "live", Map.of());
        String position;
        try (var first = TestNode.connect(nodeA, user)) {
            first.next("unread_count");
            TestNode.publish(producer, seen);
            position = first.next("notification").path("position").asString();
        }
        passedLive(nodeA, TestNode.publish(producer, missed));
        try (var again = TestNode.connect(nodeA, user)) {
            again.next("unread_count");
            TestNode.publish(producer, live);
            // The client says nothing: once the resume window has passed, the live notification comes.
            assertThat(again.next("notification")
                            .path("notification")
                            .path("id")
                            .asString())
                    .isEqualTo(live.notificationId().toString());

            JsonNode resumed = again.ask(
                    byPosition
                            ? "{\"type\":\"resume\",\"position\":\"" + position + "\"}"
                            : "{\"type\":\"resume\",\"last_id\":\"" + seen.notificationId() + "\"}",
                    "resumed");
            assertThat(resumed.path("replayed").asInt()).isEqualTo(1);
            assertThat(again.next("notification")
                            .path("notification")
                            .path("id")
                            .asString())
                    .isEqualTo(missed.notificationId().toString());
            assertThat(again.has("notification")).as("nothing twice").isFalse();
        }
    }

    /**
     * The inbox does not catch up within resume-wait (3 s on node B): the socket is closed with 1013, having been
     * sent nothing, and the client's next resume, from the same place, is exact.
     */
    @Test
    void aResumeTheInboxCannotServeInTimeClosesWith1013AndTheNextOneIsExact() {
        String user = "u-" + UUID.randomUUID();
        InAppNotification seen = TestNode.notification(user, TYPE, "seen", Map.of());
        InAppNotification missed = TestNode.notification(user, TYPE, "missed", Map.of());
        InAppNotification meanwhile = TestNode.notification(user, TYPE, "meanwhile", Map.of());
        String position;
        try (var first = TestNode.connect(nodeB, user)) {
            first.next("unread_count");
            TestNode.publish(producer, seen);
            position = first.next("notification").path("position").asString();
        }
        RecordMetadata meanwhileAt;
        var writers = new PausedWriters();
        try {
            passedLive(nodeB, TestNode.publish(producer, missed));
            try (var again = TestNode.connect(nodeB, user)) {
                again.send("{\"type\":\"resume\",\"position\":\"" + position + "\"}");
                meanwhileAt = TestNode.publish(producer, meanwhile);
                assertThat(again.closeCode()).isEqualTo(1013);
                assertThat(again.has("notification")).isFalse();
                assertThat(again.has("resumed")).isFalse();
            }
        } finally {
            writers.resume();
        }
        // Once the inbox has them, the same resume is served.
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(missed) + rows(meanwhile) == 2);
        passedLive(nodeB, meanwhileAt);
        try (var third = TestNode.connect(nodeB, user)) {
            JsonNode resumed = third.ask("{\"type\":\"resume\",\"position\":\"" + position + "\"}", "resumed");
            assertThat(resumed.path("replayed").asInt()).isEqualTo(2);
            assertThat(resumed.path("complete").asBoolean()).isTrue();
            assertThat(List.of(
                            third.next("notification")
                                    .path("notification")
                                    .path("id")
                                    .asString(),
                            third.next("notification")
                                    .path("notification")
                                    .path("id")
                                    .asString()))
                    .containsExactly(
                            missed.notificationId().toString(),
                            meanwhile.notificationId().toString());
            assertThat(third.has("notification")).isFalse();
        }
    }

    @Test
    void aResumeFromAnUnknownNotificationAnswersNotFoundAndLiveNotificationsFlow() {
        String user = "u-" + UUID.randomUUID();
        try (var socket = TestNode.connect(nodeA, user)) {
            socket.send("{\"type\":\"resume\",\"last_id\":\"" + UUID.randomUUID() + "\"}");
            JsonNode refused = socket.nextOf("error", "resumed");
            assertThat(refused.path("type").asString()).isEqualTo("error");
            assertThat(refused.path("code").asString()).isEqualTo("not_found");
            assertThat(refused.path("request_type").asString()).isEqualTo("resume");
            JsonNode badPartition = socket.ask("{\"type\":\"resume\",\"position\":\"999:0\"}", "error");
            assertThat(badPartition.path("code").asString()).isEqualTo("invalid_field");
            // Past the end of its partition: it would silence every live notification below it.
            JsonNode pastTheEnd = socket.ask("{\"type\":\"resume\",\"position\":\"0:999999999999\"}", "error");
            assertThat(pastTheEnd.path("code").asString()).isEqualTo("invalid_field");

            InAppNotification live = TestNode.notification(user, TYPE, "live", Map.of());
            TestNode.publish(producer, live);
            JsonNode pushed = socket.next("notification");
            assertThat(pushed.path("notification").path("id").asString())
                    .isEqualTo(live.notificationId().toString());
            assertThat(pushed.path("position").asString()).matches("\\d+:\\d+");
        }
    }

    /** Waits until {@code node}'s live path has passed the record at {@code at}. */
    private static void passedLive(ConfigurableApplicationContext node, RecordMetadata at) {
        var frontier = node.getBean(LiveFrontier.class);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> frontier.await(at.partition(), Duration.ZERO).orElse(-1) > at.offset());
    }

    private static long rows(InAppNotification n) {
        return nodeA.getBean(JdbcClient.class)
                .sql("select count(*) from inbox.notifications where notification_id = :id")
                .param("id", n.notificationId())
                .query(Long.class)
                .single();
    }

    /** The inbox writers of nodes A and B paused (no poll stores anything) until closed or resumed. */
    private static final class PausedWriters implements AutoCloseable {
        private final List<MessageListenerContainer> writers = List.of(writer(nodeA), writer(nodeB));
        private boolean paused;

        PausedWriters() {
            writers.forEach(MessageListenerContainer::pause);
            paused = true;
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> writers.stream().allMatch(MessageListenerContainer::isContainerPaused));
        }

        private static MessageListenerContainer writer(ConfigurableApplicationContext node) {
            var container = node.getBean(KafkaListenerEndpointRegistry.class).getListenerContainer("inbox-writer");
            assertThat(container).isNotNull();
            return container;
        }

        void resume() {
            if (paused) {
                writers.forEach(MessageListenerContainer::resume);
                paused = false;
            }
        }

        @Override
        public void close() {
            resume();
        }
    }

    /**
     * A client as apps should write them. It resumes from the newest notification it has for sure: the newest of a
     * socket that was live (its resume answered, or it needed none). A new socket may bring live notifications
     * before the client's {@code resume} is sent (its {@code resume-window} passed first, as under load): those do
     * not move the place to resume from until the resume is answered — the gap before them is still to come, and a
     * resume from one of them would skip it. When a socket closes it reconnects (to {@link #reconnectTo}) and
     * resumes, as its first message.
     */
    private static final class Client implements WebSocket.Listener {
        final String user;
        final boolean byPosition;
        /** Sends its resume only once the new socket has brought a live notification (or the stream has ended). */
        final boolean slow;

        private final BooleanSupplier streamEnded;
        final Map<String, Integer> received = new ConcurrentHashMap<>();
        final List<JsonNode> refusals = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger resumes = new AtomicInteger();
        /** What happened to its sockets, for a failure's message. */
        final List<String> story = Collections.synchronizedList(new ArrayList<>());

        volatile @Nullable Mark resumeFrom;
        volatile @Nullable String reconnectTo;
        volatile @Nullable WebSocket socket;
        /** Whether what the current socket brings moves {@link #resumeFrom} on. */
        private volatile boolean settled;
        /** The newest notification the current socket brought. */
        private volatile @Nullable Mark onSocket;

        private final StringBuilder partial = new StringBuilder();
        private final Set<WebSocket> gone = ConcurrentHashMap.newKeySet();
        /** The ids the current socket brought. */
        private volatile Set<String> idsOnSocket = ConcurrentHashMap.newKeySet();
        /**
         * Ids brought by a socket closed before its resume was answered (a 1013): the next resume, from the same
         * place, replays them again (documented: drop repeats by id).
         */
        final Set<String> mayComeAgain = ConcurrentHashMap.newKeySet();
        /** One HTTP client (and selector thread) for all its sockets. */
        private final HttpClient http = HttpClient.newHttpClient();

        /** A notification's id and its stream position ({@code partition:offset}). */
        record Mark(String id, String position) {
            long offset() {
                return Long.parseLong(position.substring(position.indexOf(':') + 1));
            }

            static @Nullable Mark newer(@Nullable Mark a, @Nullable Mark b) {
                return a == null || (b != null && b.offset() > a.offset()) ? b : a;
            }
        }

        Client(String user, boolean byPosition, boolean slow, BooleanSupplier streamEnded) {
            this.user = user;
            this.byPosition = byPosition;
            this.slow = slow;
            this.streamEnded = streamEnded;
        }

        void connect(String url) {
            partial.setLength(0);
            // Before the socket exists: its first notifications may come before buildAsync returns.
            settled = resumeFrom == null;
            onSocket = null;
            idsOnSocket = ConcurrentHashMap.newKeySet();
            WebSocket opened = http.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + TestTokens.jwt(user))
                    .buildAsync(URI.create(url), this)
                    .join();
            socket = opened;
            story.add("open " + url.substring(url.lastIndexOf(':') + 1, url.indexOf('/', url.lastIndexOf(':'))));
            if (!settled) {
                if (slow) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> onSocket != null || streamEnded.getAsBoolean());
                }
                Mark from = Objects.requireNonNull(resumeFrom);
                Mark live = onSocket;
                story.add(
                        "resume from " + from.position() + (live == null ? "" : ", got " + live.position() + " first"));
                opened.sendText(
                                byPosition
                                        ? "{\"type\":\"resume\",\"position\":\"" + from.position() + "\"}"
                                        : "{\"type\":\"resume\",\"last_id\":\"" + from.id() + "\"}",
                                true)
                        .join();
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonNode message = HeraldJson.mapper().readTree(partial.toString());
                partial.setLength(0);
                switch (message.path("type").asString()) {
                    case "notification" -> {
                        var mark = new Mark(
                                message.path("notification").path("id").asString(),
                                message.path("position").asString());
                        received.merge(mark.id(), 1, Integer::sum);
                        onSocket = Mark.newer(onSocket, mark);
                        idsOnSocket.add(mark.id());
                        if (settled) {
                            resumeFrom = Mark.newer(resumeFrom, mark);
                        }
                    }
                    case "resumed" -> {
                        resumes.incrementAndGet();
                        settle();
                        story.add("resumed, " + message.path("replayed").asInt() + " replayed");
                    }
                    case "error" -> {
                        refusals.add(message);
                        settle();
                        story.add("error " + message);
                    }
                    default -> {}
                }
            }
            ws.request(1);
            return null;
        }

        /** The resume is answered: the client has everything up to the newest this socket brought. */
        private void settle() {
            resumeFrom = Mark.newer(resumeFrom, onSocket);
            settled = true;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            story.add("closed " + statusCode);
            reconnect(ws);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            story.add("error " + error);
            reconnect(ws);
        }

        /** Once per socket: a socket that ends both closed and in error is replaced once. */
        private void reconnect(WebSocket ws) {
            String target = reconnectTo;
            if (!gone.add(ws)) {
                story.add("(that socket was replaced already)");
                return;
            }
            if (!settled) {
                mayComeAgain.addAll(idsOnSocket);
            }
            if (target != null) {
                Thread.ofVirtual().start(() -> {
                    try {
                        connect(target);
                    } catch (RuntimeException e) {
                        story.add("reconnect failed: " + e);
                    }
                });
            }
        }

        void close() {
            reconnectTo = null;
            WebSocket current = socket;
            if (current != null) {
                current.abort();
            }
        }
    }
}
