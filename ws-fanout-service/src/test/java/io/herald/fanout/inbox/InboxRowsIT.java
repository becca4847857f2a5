package io.herald.fanout.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.InAppNotification;
import io.herald.spring.web.InternalApiProperties;
import io.herald.spring.web.UserIdPaths;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.testkit.TestHttp;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The inbox rows token-service composes its delivery log and history from: {@code GET /internal/v1/inbox/by-event}
 * and {@code GET /internal/v1/inbox/history/{userId}}, against PostgreSQL, with {@code max-rows-by-event} at 3.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=ws-fanout-service", "herald.fanout.inbox.max-rows-by-event=3"})
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class InboxRowsIT {

    @RegisterExtension
    static final ServiceInfrastructure infra =
            ServiceInfrastructure.withKafkaAndDatabase("rows").jwtSecretAt("herald.fanout.jwt.hmac-secret");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("herald.fanout.ws.port", () -> "0");
    }

    @Autowired
    InboxStore store;

    @LocalServerPort
    int port;

    @Test
    void byEventAnswersEveryRecipientsRowsOfTheEventsNewestFirstAndSaysWhenTruncated() {
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        String ann = "ann-" + UUID.randomUUID();
        String bob = "bob|" + UUID.randomUUID();
        InAppNotification annFirst = notification(first, ann, "shop", "first for ann");
        InAppNotification bobFirst = notification(first, bob, "shop", "first for bob");
        InAppNotification annSecond = notification(second, ann, "shop", "second for ann");
        InAppNotification bobSecond = notification(second, bob, "shop", "second for bob");
        for (InAppNotification n : List.of(annFirst, bobFirst, annSecond, bobSecond)) {
            store.store(n);
        }
        store.store(notification(UUID.randomUUID(), ann, "shop", "another event"));
        store.markRead(bob, bobFirst.notificationId());

        JsonNode one = get("/internal/v1/inbox/by-event?eventId=" + first, 200);
        assertThat(one.path("truncated").asBoolean()).isFalse();
        assertThat(ids(one)).containsExactly(bobFirst.notificationId(), annFirst.notificationId());
        JsonNode bobs = one.path("notifications").get(0);
        assertThat(bobs.path("eventId").asString()).isEqualTo(first.toString());
        assertThat(bobs.path("notificationId").asString())
                .isEqualTo(bobFirst.notificationId().toString());
        assertThat(bobs.path("source").asString()).isEqualTo("shop");
        assertThat(bobs.path("userId").asString()).isEqualTo(bob);
        assertThat(bobs.path("type").asString()).isEqualTo("order");
        assertThat(bobs.path("title").asString()).isEqualTo("first for bob");
        assertThat(bobs.path("body").asString()).isEqualTo("body of first for bob");
        assertThat(Instant.parse(bobs.path("occurredAt").asString())).isEqualTo(bobFirst.occurredAt());
        Instant createdAt = Instant.parse(bobs.path("createdAt").asString());
        assertThat(Instant.parse(bobs.path("readAt").asString())).isAfterOrEqualTo(createdAt);
        JsonNode anns = one.path("notifications").get(1);
        assertThat(anns.has("readAt")).isTrue();
        assertThat(anns.path("readAt").isNull()).isTrue();

        // Four rows, three at most: the newest three, and truncated. An unknown id adds nothing.
        JsonNode both = get(
                "/internal/v1/inbox/by-event?eventId=" + first + "&eventId=" + second + "&eventId=" + UUID.randomUUID(),
                200);
        assertThat(both.path("truncated").asBoolean()).isTrue();
        assertThat(ids(both))
                .containsExactly(bobSecond.notificationId(), annSecond.notificationId(), bobFirst.notificationId());

        JsonNode unknown = get("/internal/v1/inbox/by-event?eventId=" + UUID.randomUUID(), 200);
        assertThat(unknown.path("notifications")).isEmpty();
        assertThat(unknown.path("truncated").asBoolean()).isFalse();
    }

    @Test
    void byEventRefusesMoreThanAHundredIdsAndIdsThatAreNoUuidsAndCallsWithoutTheCredential() {
        String hundred = IntStream.range(0, 100)
                .mapToObj(i -> "eventId=" + UUID.randomUUID())
                .collect(Collectors.joining("&"));
        assertThat(get("/internal/v1/inbox/by-event?" + hundred, 200).path("notifications"))
                .isEmpty();
        invalid(call("/internal/v1/inbox/by-event?" + hundred + "&eventId=" + UUID.randomUUID(), true), "eventId");
        invalid(call("/internal/v1/inbox/by-event?eventId=" + UUID.randomUUID() + "&eventId=nope", true), "eventId");
        invalid(call("/internal/v1/inbox/by-event?eventId=", true), "eventId");
        unauthenticated(call("/internal/v1/inbox/by-event?eventId=" + UUID.randomUUID(), false));
    }

    @Test
    void historyPagesAUsersRowsOfOneAppNewestFirstByTheCursorOfTheLastRow() {
        String user = "google-oauth2|" + UUID.randomUUID() + "/x";
        List<UUID> shop = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            InAppNotification n = notification(UUID.randomUUID(), user, "shop", "shop " + i);
            store.store(n);
            shop.add(n.notificationId());
            if (i == 2) {
                store.store(notification(UUID.randomUUID(), user, "booking", "another app"));
                store.store(notification(UUID.randomUUID(), "someone-else", "shop", "another user"));
            }
        }
        String path = "/internal/v1/inbox/history/" + UserIdPaths.segment(user) + "?source=shop&limit=2";

        List<UUID> seen = new ArrayList<>();
        JsonNode page = get(path, 200);
        List<Integer> sizes = new ArrayList<>();
        while (!page.path("notifications").isEmpty()) {
            sizes.add(page.path("notifications").size());
            seen.addAll(ids(page));
            page.path("notifications").forEach(row -> {
                assertThat(row.path("userId").asString()).isEqualTo(user);
                assertThat(row.path("source").asString()).isEqualTo("shop");
            });
            JsonNode last =
                    page.path("notifications").get(page.path("notifications").size() - 1);
            page = get(
                    path + "&beforeAt="
                            + URLEncoder.encode(last.path("createdAt").asString(), StandardCharsets.UTF_8)
                            + "&beforeId=" + last.path("notificationId").asString(),
                    200);
        }
        assertThat(sizes).containsExactly(2, 2, 1);
        assertThat(seen).containsExactlyElementsOf(shop.reversed());

        assertThat(get("/internal/v1/inbox/history/nobody?source=shop", 200).path("notifications"))
                .isEmpty();
        // Without a limit: up to 20.
        assertThat(get("/internal/v1/inbox/history/" + UserIdPaths.segment(user) + "?source=shop", 200)
                        .path("notifications"))
                .hasSize(5);
        assertThat(get(path.replace("limit=2", "limit=100"), 200).path("notifications"))
                .hasSize(5);
    }

    @Test
    void historyRefusesBadParametersAndCallsWithoutTheCredential() {
        String base = "/internal/v1/inbox/history/ann";
        invalid(call(base, true), "source");
        invalid(call(base + "?source=", true), "source");
        for (String limit : List.of("0", "101", "-1", "ten", "1.5")) {
            invalid(call(base + "?source=shop&limit=" + limit, true), "limit");
        }
        String at = "2026-12-07T08:00:00.123Z";
        invalid(call(base + "?source=shop&beforeId=" + UUID.randomUUID(), true), "beforeAt");
        invalid(call(base + "?source=shop&beforeAt=" + at, true), "beforeId");
        invalid(call(base + "?source=shop&beforeAt=yesterday&beforeId=" + UUID.randomUUID(), true), "beforeAt");
        invalid(call(base + "?source=shop&beforeAt=" + at + "&beforeId=nope", true), "beforeId");
        assertThat(get(base + "?source=shop&beforeAt=" + at + "&beforeId=" + UUID.randomUUID(), 200)
                        .path("notifications"))
                .isEmpty();
        unauthenticated(call(base + "?source=shop", false));
    }

    private static InAppNotification notification(UUID eventId, String user, String source, String title) {
        return new InAppNotification(
                Ids.notificationId(eventId, source, user),
                eventId,
                DomainEvent.SCHEMA_VERSION,
                Instant.parse("2026-12-07T08:00:00.123456Z"),
                user,
                "order",
                title,
                "body of " + title,
                Map.of("orderId", "o-1"),
                null,
                null,
                source,
                null,
                null,
                null,
                null);
    }

    private static List<UUID> ids(JsonNode answer) {
        List<UUID> ids = new ArrayList<>();
        answer.path("notifications")
                .forEach(row ->
                        ids.add(UUID.fromString(row.path("notificationId").asString())));
        return ids;
    }

    private JsonNode get(String pathAndQuery, int status) {
        HttpResponse<String> response = call(pathAndQuery, true);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return HeraldJson.mapper().readTree(response.body());
    }

    private HttpResponse<String> call(String pathAndQuery, boolean credential) {
        return TestHttp.send(
                "GET",
                "http://127.0.0.1:" + port + pathAndQuery,
                credential ? Map.of(InternalApiProperties.HEADER, ServiceInfrastructure.INTERNAL_SECRET) : Map.of(),
                null);
    }

    private static void invalid(HttpResponse<String> response, String field) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = HeraldJson.mapper().readTree(response.body());
        assertThat(problem.path("type").asString()).isEqualTo("https://herald.dev/problems/invalid-parameter");
        assertThat(problem.path("field").asString()).as(response.body()).isEqualTo(field);
    }

    private static void unauthenticated(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("unauthenticated");
    }
}
