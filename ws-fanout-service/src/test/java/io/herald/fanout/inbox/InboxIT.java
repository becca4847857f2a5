package io.herald.fanout.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.Change;
import io.herald.events.DomainEvent;
import io.herald.events.HeraldHeaders;
import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.InAppNotification;
import io.herald.events.Topics;
import io.herald.fanout.InboxClient;
import io.herald.fanout.ws.SocketServer;
import io.herald.spring.web.InternalApiProperties;
import io.herald.testkit.ConsumerLag;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.testkit.TestHttp;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=ws-fanout-service")
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class InboxIT {

    @RegisterExtension
    static final ServiceInfrastructure infra =
            ServiceInfrastructure.withKafkaAndDatabase("inbox").jwtSecretAt("herald.fanout.jwt.hmac-secret");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("herald.fanout.ws.port", () -> "0");
    }

    @Autowired
    InboxStore store;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    InboxRetention retention;

    /** Tomcat's port: the internal API and the actuator. */
    @LocalServerPort
    int internalPort;

    @Autowired
    SocketServer socketServer;

    @Test
    void theInboxPagesNewestFirstWithACursor() {
        String user = "pager-" + UUID.randomUUID();
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            var n = notification(user, "n" + i);
            store.store(n);
            ids.add(n.notificationId());
        }
        JsonNode first = get(user, "?limit=2", 200);
        JsonNode second =
                get(user, "?limit=2&cursor=" + first.path("nextCursor").asString(), 200);
        JsonNode third =
                get(user, "?limit=2&cursor=" + second.path("nextCursor").asString(), 200);

        List<String> seen = new ArrayList<>();
        for (JsonNode page : List.of(first, second, third)) {
            page.path("items").forEach(item -> seen.add(item.path("id").asString()));
        }
        assertThat(seen)
                .hasSize(5)
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(
                        ids.stream().map(UUID::toString).toList());
        assertThat(third.path("items")).hasSize(1);
        assertThat(third.has("nextCursor")).isFalse();
        assertThat(first.path("unreadCount").asLong()).isEqualTo(5);
        // Newest first: created_at never increases along the pages.
        List<String> titles = new ArrayList<>();
        for (JsonNode page : List.of(first, second, third)) {
            page.path("items").forEach(item -> titles.add(item.path("createdAt").asString()));
        }
        assertThat(titles).isSortedAccordingTo(Comparator.reverseOrder());
    }

    @Test
    void aUserMarksReadAndDeletesOnlyTheirOwnNotifications() {
        String owner = "owner-" + UUID.randomUUID();
        String other = "other-" + UUID.randomUUID();
        var mine = notification(owner, "mine");
        var alsoMine = notification(owner, "also mine");
        store.store(mine);
        store.store(alsoMine);

        assertThat(call("POST", other, "/" + mine.notificationId() + "/read").statusCode())
                .isEqualTo(404);
        assertThat(call("DELETE", other, "/" + mine.notificationId()).statusCode())
                .isEqualTo(404);
        assertThat(call("POST", other, "/read-all").body()).contains("\"updated\":0");
        assertThat(store.unreadCount(owner)).isEqualTo(2);

        assertThat(call("POST", owner, "/" + mine.notificationId() + "/read").statusCode())
                .isEqualTo(204);
        assertThat(get(owner, "/unread-count", 200).path("unreadCount").asLong())
                .isEqualTo(1);
        assertThat(call("POST", owner, "/read-all").body()).contains("\"updated\":1");
        assertThat(store.unreadCount(owner)).isZero();

        assertThat(call("DELETE", owner, "/" + mine.notificationId()).statusCode())
                .isEqualTo(204);
        assertThat(store.page(owner, null, 10)).extracting(InboxItem::id).containsExactly(alsoMine.notificationId());
        assertThat(call("DELETE", owner, "/" + mine.notificationId()).statusCode())
                .isEqualTo(404);
    }

    @Test
    void badRequestsAnswerProblemDetails() {
        var badCursor = call("GET", "someone", "?cursor=bm9wZQ");
        assertThat(badCursor.statusCode()).isEqualTo(400);
        assertThat(badCursor.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(badCursor.body()).contains("invalid-cursor");

        var badId = call("POST", "someone", "/not-a-uuid/read");
        assertThat(badId.statusCode()).isEqualTo(400);
        assertThat(badId.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    }

    @Test
    void retentionDeletesOnlyNotificationsOlderThanTheLimit() {
        String user = "old-" + UUID.randomUUID();
        var old = notification(user, "old");
        var fresh = notification(user, "fresh");
        store.store(old);
        store.store(fresh);
        jdbc.sql("update inbox.notifications set created_at = now() - interval '91 days' where notification_id = :id")
                .param("id", old.notificationId())
                .update();

        assertThat(retention.purge()).isGreaterThanOrEqualTo(1);

        assertThat(store.page(user, null, 10)).extracting(InboxItem::id).containsExactly(fresh.notificationId());
    }

    @Test
    void theInternalApiIsNotServedOnThePublicWebSocketPort() throws Exception {
        int publicPort = socketServer.port();
        assertThat(publicPort).isPositive().isNotEqualTo(internalPort);
        // HTTP/1.1: the WebSocket port speaks no HTTP/2.
        try (var client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            for (String path : List.of("/internal/v1/users/alice/notifications", "/actuator/health", "/")) {
                var response = client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + publicPort + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(path).isEqualTo(404);
            }
        }
    }

    private JsonNode get(String userId, String suffix, int expected) {
        return new InboxClient(internalPort).get(userId, suffix, expected);
    }

    private HttpResponse<String> call(String method, String userId, String suffix) {
        return new InboxClient(internalPort).call(method, userId, suffix);
    }

    @Test
    void aNotificationIsStoredOnceEvenWhenRedelivered() {
        var notification = notification("alice", "Your product was liked");

        send(notification.userId(), HeraldJson.mapper().writeValueAsBytes(notification));
        send(notification.userId(), HeraldJson.mapper().writeValueAsBytes(notification));
        var marker = notification("alice", "marker");
        send(marker.userId(), HeraldJson.mapper().writeValueAsBytes(marker));

        await().atMost(Duration.ofSeconds(20))
                .until(() -> store.page("alice", null, 10).size() == 2);
        List<InboxItem> items = store.page("alice", null, 10);
        assertThat(items)
                .extracting(InboxItem::id)
                .containsExactlyInAnyOrder(notification.notificationId(), marker.notificationId());
        InboxItem liked = items.stream()
                .filter(i -> i.id().equals(notification.notificationId()))
                .findFirst()
                .orElseThrow();
        assertThat(liked.title()).isEqualTo("Your product was liked");
        assertThat(liked.data()).containsEntry("productId", "p-1");
        assertThat(liked.read()).isFalse();
        assertThat(store.unreadCount("alice")).isEqualTo(2);
        assertThat(store.page("bob", null, 10)).isEmpty();
    }

    @Test
    void theWritersOffsetsAreCommittedSoonAfterTrafficStops() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers()))) {
            var first = notification("erin", "first");
            send(first.userId(), HeraldJson.mapper().writeValueAsBytes(first));
            await().atMost(Duration.ofSeconds(20)).until(() -> inboxLag(admin) == 0);

            // Stored right after a commit, so the once-a-second commit is not yet due when it is: the idle
            // consumer must make it after a poll that finds nothing.
            var second = notification("erin", "second");
            send(second.userId(), HeraldJson.mapper().writeValueAsBytes(second));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> store.page("erin", null, 10).size() == 2);
            // Within 1.5 s by design; with Spring's 5-second poll it took 5 s and more.
            await().atMost(Duration.ofMillis(3_500)).until(() -> inboxLag(admin) == 0);
        }
    }

    /** Records of herald.inapp.v1 the inbox writers' group has not committed. */
    private static long inboxLag(Admin admin) throws Exception {
        return ConsumerLag.of(admin, "herald-ws-fanout-service", Topics.INAPP);
    }

    @Test
    void anUnreadableRecordIsDeadLetteredAndTheConsumerCarriesOn() {
        byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);
        send("carol", garbage);
        var good = notification("carol", "after the garbage");
        send(good.userId(), HeraldJson.mapper().writeValueAsBytes(good));

        await().atMost(Duration.ofSeconds(20))
                .until(() -> store.page("carol", null, 10).size() == 1);
        ConsumerRecord<String, byte[]> dead = readOne(Topics.INAPP_DLT, "carol");
        assertThat(dead.key()).isEqualTo("carol");
        assertThat(dead.value()).isEqualTo(garbage);
        assertThat(header(dead, HeraldHeaders.DLT_REASON_CODE)).isEqualTo("invalid-json");
        assertThat(header(dead, HeraldHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(Topics.INAPP);
        assertThat(header(dead, HeraldHeaders.DLT_SERVICE)).isEqualTo("ws-fanout-service");
        assertThat(header(dead, HeraldHeaders.DLT_REASON)).contains("InAppNotification");
    }

    @Test
    void aBatchStoresEveryFieldAsSentInOrderAndCountsOnlyNewRows() {
        String user = "batch-" + UUID.randomUUID();
        String awkward = "quotes \" ' backslash \\ braces {a,b} NULL, comma; ünïcödé 🚲\nnew line";
        UUID eventId = UUID.randomUUID();
        var bare = new InAppNotification(
                Ids.notificationId(eventId, user),
                eventId,
                DomainEvent.SCHEMA_VERSION,
                Instant.parse("2026-11-24T10:00:00.123456Z"),
                user,
                "work_assigned",
                "",
                "NULL",
                Map.of("k\"ey", awkward, "empty", ""),
                null,
                null);
        var full = notification(user, awkward);
        var third = notification(user, "third");

        assertThat(store.storeAll(List.of(bare, full, third))).isEqualTo(3);
        // A redelivered poll: what is already there is not counted, what is new is.
        var fourth = notification(user, "fourth");
        assertThat(store.storeAll(List.of(full, third, fourth))).isEqualTo(1);

        List<InboxItem> items = store.page(user, null, 10);
        // Newest first: each row of a batch has its own instant, in the order the batch had them.
        assertThat(items)
                .extracting(InboxItem::id)
                .containsExactly(
                        fourth.notificationId(), third.notificationId(), full.notificationId(), bare.notificationId());
        InboxItem storedBare = items.get(3);
        assertThat(storedBare.type()).isEqualTo("work_assigned");
        assertThat(storedBare.title()).isEmpty();
        assertThat(storedBare.body()).isEqualTo("NULL");
        assertThat(storedBare.data()).isEqualTo(Map.of("k\"ey", awkward, "empty", ""));
        assertThat(storedBare.occurredAt()).isEqualTo(bare.occurredAt());
        assertThat(items.get(2).title()).isEqualTo(awkward);
        Map<String, Object> row =
                jdbc.sql("""
                        select actor_id, actor_display_name, object_id, object_kind, object_title, event_id
                        from inbox.notifications where notification_id = :id
                        """).param("id", full.notificationId()).query().singleRow();
        assertThat(row)
                .containsEntry("actor_id", "bob")
                .containsEntry("actor_display_name", "Bob")
                .containsEntry("object_id", "p-1")
                .containsEntry("object_kind", "product")
                .containsEntry("object_title", "Red bike")
                .containsEntry("event_id", full.eventId());
        assertThat(jdbc.sql("select actor_id from inbox.notifications where notification_id = :id")
                        .param("id", bare.notificationId())
                        .query(String.class)
                        .optional())
                .isEmpty();
    }

    @Test
    void aNotificationTheTableRefusesIsDeadLetteredAndTheOthersAreStored() {
        String user = "refused-" + UUID.randomUUID();
        var before = notification(user, "before");
        // PostgreSQL's timestamptz ends in the year 294276; an Instant (and JSON) goes further.
        var sample = notification(user, "too far ahead");
        var refused = new InAppNotification(
                sample.notificationId(),
                sample.eventId(),
                sample.schemaVersion(),
                Instant.parse("+300000-01-01T00:00:00Z"),
                user,
                sample.type(),
                sample.title(),
                sample.body(),
                sample.data(),
                sample.actor(),
                sample.object());
        var after = notification(user, "after");
        try (var producer = infra.producer()) {
            for (var n : List.of(before, refused, after)) {
                producer.send(new ProducerRecord<>(
                        Topics.INAPP, user, HeraldJson.mapper().writeValueAsBytes(n)));
            }
        }

        await().atMost(Duration.ofSeconds(20))
                .until(() -> store.page(user, null, 10).size() == 2);
        assertThat(store.page(user, null, 10))
                .extracting(InboxItem::id)
                .containsExactlyInAnyOrder(before.notificationId(), after.notificationId());
        ConsumerRecord<String, byte[]> dead = readOne(Topics.INAPP_DLT, user);
        assertThat(HeraldJson.mapper()
                        .readValue(dead.value(), InAppNotification.class)
                        .notificationId())
                .isEqualTo(refused.notificationId());
        assertThat(header(dead, HeraldHeaders.DLT_REASON)).contains("refused by the inbox");
    }

    @Test
    void theWriterStoresEachRecordsPositionAndItsProgressPassesRecordsItDeadLetters() throws Exception {
        String user = "positions-" + UUID.randomUUID();
        var first = notification(user, "first");
        var second = notification(user, "second");
        byte[] unreadable = "{not json".getBytes(StandardCharsets.UTF_8);
        List<RecordMetadata> sent = new ArrayList<>();
        try (var producer = infra.producer()) {
            // One user's records share a partition: the unreadable one between the two, and one more last.
            for (byte[] value : List.of(
                    HeraldJson.mapper().writeValueAsBytes(first),
                    unreadable,
                    HeraldJson.mapper().writeValueAsBytes(second),
                    unreadable)) {
                sent.add(producer.send(new ProducerRecord<>(Topics.INAPP, user, value))
                        .get());
            }
        }
        int partition = sent.getFirst().partition();
        long last = sent.getLast().offset();

        // Past the dead-lettered record that has nothing after it too: a resume would otherwise wait for it.
        await().atMost(Duration.ofSeconds(20)).until(() -> store.storedUpTo().getOrDefault(partition, 0L) >= last + 1);
        assertThat(store.anchorOf(user, first.notificationId()).orElseThrow().position())
                .isEqualTo(new InboxStore.StreamPosition(partition, sent.get(0).offset()));
        assertThat(store.anchorOf(user, second.notificationId()).orElseThrow().position())
                .isEqualTo(new InboxStore.StreamPosition(partition, sent.get(2).offset()));
        assertThat(store.replay(user, partition, -1, last + 1, 10))
                .extracting(replayed -> replayed.item().id())
                .containsExactly(first.notificationId(), second.notificationId());
        assertThat(store.replay(user, partition, sent.get(0).offset(), last + 1, 10))
                .extracting(replayed -> replayed.item().id())
                .containsExactly(second.notificationId());
        // Another user's rows are not theirs to replay, and an id is looked up in its owner's inbox only.
        assertThat(store.replay("someone-else", partition, -1, last + 1, 10)).isEmpty();
        assertThat(store.anchorOf("someone-else", first.notificationId())).isEmpty();
    }

    @Test
    void theUnreadApiAnswersTheCountAndWhetherANotificationIsStoredForAnEncodedUserId() {
        String user = "google-oauth2|" + UUID.randomUUID() + "/x";
        String segment = URLEncoder.encode(user, StandardCharsets.UTF_8);
        var read = notification(user, "read");
        var unread = notification(user, "unread");
        store.storeAll(List.of(read, unread));
        store.markRead(user, read.notificationId());
        UUID notYet = UUID.randomUUID();

        HttpResponse<String> stored = unreadCall(segment, "?notificationId=" + unread.notificationId(), true);
        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
        JsonNode answer = HeraldJson.mapper().readTree(stored.body());
        assertThat(answer.path("unread").asLong()).isEqualTo(1);
        assertThat(answer.path("stored").asBoolean()).isTrue();

        JsonNode missing = HeraldJson.mapper()
                .readTree(unreadCall(segment, "?notificationId=" + notYet, true).body());
        assertThat(missing.path("unread").asLong()).isEqualTo(1);
        assertThat(missing.path("stored").asBoolean()).isFalse();
        // Without a notification id: the count alone.
        JsonNode countOnly =
                HeraldJson.mapper().readTree(unreadCall(segment, "", true).body());
        assertThat(countOnly.path("unread").asLong()).isEqualTo(1);
        assertThat(countOnly.path("stored").asBoolean()).isFalse();
        // Another user's notification is not stored for this one.
        JsonNode stranger = HeraldJson.mapper()
                .readTree(unreadCall("stranger", "?notificationId=" + unread.notificationId(), true)
                        .body());
        assertThat(stranger.path("unread").asLong()).isZero();
        assertThat(stranger.path("stored").asBoolean()).isFalse();

        HttpResponse<String> noCredential = unreadCall(segment, "?notificationId=" + notYet, false);
        assertThat(noCredential.statusCode()).isEqualTo(401);
        assertThat(noCredential.body()).contains("unauthenticated");
        HttpResponse<String> badId = unreadCall(segment, "?notificationId=nope", true);
        assertThat(badId.statusCode()).isEqualTo(400);
        assertThat(badId.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    }

    private HttpResponse<String> unreadCall(String userSegment, String query, boolean credential) {
        return TestHttp.send(
                "GET",
                "http://127.0.0.1:" + internalPort + "/internal/inbox/" + userSegment + "/unread" + query,
                credential ? Map.of(InternalApiProperties.HEADER, ServiceInfrastructure.INTERNAL_SECRET) : Map.of(),
                null);
    }

    @Test
    void theWriterStoresTheAppsFieldsAndAppliesWithdrawalsAndUpdatesInStreamOrder() {
        String user = "changes-" + UUID.randomUUID();
        var withdrawn = rich(user, "withdrawn", "k-1");
        var updated = rich(user, "updated", null);
        var untouched = rich(user, "untouched", "k-2");
        var update = change(updated.notificationId(), user, null, Change.Kind.UPDATE, "new title");
        // One poll may hold a notification and its withdrawal: they are applied in order.
        try (var producer = infra.producer()) {
            for (var n : List.of(
                    withdrawn,
                    updated,
                    untouched,
                    change(withdrawn.notificationId(), user, null, Change.Kind.WITHDRAW, ""),
                    update,
                    // Redelivered: the withdrawal deletes nothing more, the update is the same.
                    change(withdrawn.notificationId(), user, null, Change.Kind.WITHDRAW, ""),
                    update,
                    withdrawn)) {
                producer.send(new ProducerRecord<>(
                        Topics.INAPP, user, HeraldJson.mapper().writeValueAsBytes(n)));
            }
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> "new title"
                        .equals(store.find(user, updated.notificationId())
                                .map(InboxItem::title)
                                .orElse("")));
        await().atMost(Duration.ofSeconds(20)).until(() -> store.count(user) == 2);
        assertThat(store.find(user, withdrawn.notificationId())).isEmpty();
        assertThat(store.unreadCount(user)).isEqualTo(2);
        JsonNode page = get(user, "", 200);
        JsonNode kept = null;
        for (JsonNode item : page.path("items")) {
            if (item.path("id").asString().equals(untouched.notificationId().toString())) {
                kept = item;
            }
        }
        assertThat(kept).isNotNull();
        assertThat(kept.path("link").asString()).isEqualTo("app://k-2");
        assertThat(kept.path("imageUrl").asString()).isEqualTo("https://img.example/k-2.png");
        assertThat(kept.path("collapseKey").asString()).isEqualTo("k-2");
        Map<String, Object> row = jdbc.sql(
                        "select source, updated_offset from inbox.notifications where notification_id = :id")
                .param("id", updated.notificationId())
                .query()
                .singleRow();
        assertThat(row.get("source")).isEqualTo("shop");
        assertThat(row.get("updated_offset")).isNotNull();
        assertThat(store.find(user, updated.notificationId()).orElseThrow().data())
                .containsEntry("changed", "yes");
    }

    @Test
    void anUpdateRoutedAgainAfterANewerOneNeverBringsBackItsWords() {
        String user = "updates-" + UUID.randomUUID();
        var n = rich(user, "v0", null);
        store.store(n);
        var first = change(n.notificationId(), user, null, Change.Kind.UPDATE, "v1");
        var second = change(n.notificationId(), user, null, Change.Kind.UPDATE, "v2");
        assertThat(store.update(first, new InboxStore.StreamPosition(0, 10))).isTrue();
        assertThat(store.update(second, new InboxStore.StreamPosition(0, 11))).isTrue();
        // token-service routes the first update's event again: the same record at a new offset.
        assertThat(store.update(first, new InboxStore.StreamPosition(0, 12))).isFalse();
        assertThat(store.update(second, new InboxStore.StreamPosition(0, 13))).isFalse();
        assertThat(store.find(user, n.notificationId()).orElseThrow().title()).isEqualTo("v2");
        // A newer update still applies, and the row remembers only the newest applied ones.
        for (int i = 3; i < 3 + InboxStore.APPLIED_UPDATES_KEPT + 5; i++) {
            var newer = change(n.notificationId(), user, null, Change.Kind.UPDATE, "v" + i);
            assertThat(store.update(newer, new InboxStore.StreamPosition(0, 11 + i)))
                    .isTrue();
        }
        assertThat(jdbc.sql("select cardinality(applied_updates) from inbox.notifications where notification_id = :id")
                        .param("id", n.notificationId())
                        .query(Integer.class)
                        .single())
                .isEqualTo(InboxStore.APPLIED_UPDATES_KEPT);
        assertThat(store.find(user, n.notificationId()).orElseThrow().title())
                .isEqualTo("v" + (2 + InboxStore.APPLIED_UPDATES_KEPT + 5));
    }

    private static InAppNotification rich(String user, String title, @Nullable String collapseKey) {
        UUID eventId = UUID.randomUUID();
        String ref = collapseKey == null ? "none" : collapseKey;
        return new InAppNotification(
                Ids.notificationId(eventId, "shop", user),
                eventId,
                DomainEvent.SCHEMA_VERSION,
                Instant.now(),
                user,
                "order",
                title,
                "body",
                Map.of("orderId", ref),
                null,
                null,
                "shop",
                "app://" + ref,
                "https://img.example/" + ref + ".png",
                collapseKey,
                null);
    }

    private static InAppNotification change(
            UUID target, String user, @Nullable String collapseKey, Change.Kind kind, String title) {
        UUID eventId = UUID.randomUUID();
        return new InAppNotification(
                target,
                eventId,
                DomainEvent.SCHEMA_VERSION,
                Instant.now(),
                user,
                "order",
                title,
                "",
                Map.of("changed", "yes"),
                null,
                null,
                "shop",
                null,
                null,
                collapseKey,
                kind);
    }

    private static InAppNotification notification(String userId, String title) {
        UUID eventId = UUID.randomUUID();
        return new InAppNotification(
                Ids.notificationId(eventId, userId),
                eventId,
                DomainEvent.SCHEMA_VERSION,
                Instant.parse("2026-11-24T10:00:00Z"),
                userId,
                "product_like",
                title,
                "Bob liked your product \"Red bike\"",
                Map.of("productId", "p-1"),
                new DomainEvent.Actor("bob", "Bob"),
                new DomainEvent.EventObject("p-1", "product", "Red bike"));
    }

    private static void send(String key, byte[] value) {
        try (var producer = infra.producer()) {
            producer.send(new ProducerRecord<>(Topics.INAPP, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first record on {@code topic} with {@code key}. */
    private static ConsumerRecord<String, byte[]> readOne(String topic, String key) {
        return infra.firstRecord(topic, key, Duration.ofSeconds(20));
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        assertThat(header).as("header %s", name).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
