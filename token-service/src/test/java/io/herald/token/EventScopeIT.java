package io.herald.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.InAppNotification;
import io.herald.events.PushDelivery;
import io.herald.testkit.ServiceInfrastructure;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
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

/**
 * Event ids are scoped by the app that published them: one app cannot make another's event vanish by using its
 * id first, each gets ids of its own downstream and sees only its own event's deliveries, and an app reusing one
 * of its own ids for other content is told so on the dead-letter topic instead of being dropped unseen.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=token-service"})
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EventScopeIT {

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("token_scope");

    static final TestTopics topics = new TestTopics(infra.bootstrapServers());
    static final ServiceStubs stubs = ServiceStubs.start();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        stubs.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @AfterAll
    static void close() {
        stubs.close();
        topics.close();
    }

    @Test
    void twoAppsPublishingTheSameEventIdToOverlappingRecipientsAreBothDelivered() {
        String alice = "alice-" + UUID.randomUUID();
        String bob = "bob-" + UUID.randomUUID();
        String carol = "carol-" + UUID.randomUUID();
        register(alice, "alice-phone-" + UUID.randomUUID());
        register(bob, "bob-phone-" + UUID.randomUUID());
        UUID eventId = UUID.randomUUID();

        topics.publish(eventId, chat(eventId, "shop", "Your order shipped", alice, bob));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> topics.pushesOf(eventId).size() == 2);
        // The other app's event under the same id, then a marker behind it on the same partition (same key).
        topics.publish(eventId, chat(eventId, "chat", "Dora says hi", bob, carol));
        UUID marker = UUID.randomUUID();
        topics.publish(eventId, chat(marker, "chat", "marker", bob));
        awaitRouted(marker);

        List<PushDelivery> pushes = topics.pushesOf(eventId);
        assertThat(pushes)
                .extracting(p -> p.userId() + ": " + p.title())
                .containsExactlyInAnyOrder(
                        alice + ": Your order shipped", bob + ": Your order shipped", bob + ": Dora says hi");
        assertThat(pushes).extracting(PushDelivery::deliveryId).doesNotHaveDuplicates();
        List<InAppNotification> inApp = topics.inAppOf(eventId);
        assertThat(inApp)
                .extracting(n -> n.userId() + ": " + n.title())
                .containsExactlyInAnyOrder(
                        alice + ": Your order shipped",
                        bob + ": Your order shipped",
                        bob + ": Dora says hi",
                        carol + ": Dora says hi");
        // Bob's two notifications have ids of their own, so the inbox keeps both.
        assertThat(inApp)
                .extracting(InAppNotification::notificationId)
                .doesNotHaveDuplicates()
                .contains(Ids.notificationId(eventId, "shop", bob), Ids.notificationId(eventId, "chat", bob));

        // The inbox stored them all (ws-fanout's rows, here its stub's): each names its app.
        inApp.forEach(n -> stubs.stored(n, Instant.now(), null));
        // Each app sees only its own event's recipients.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode shop = json(call("/internal/v1/events/" + eventId + "/deliveries?source=shop"));
            assertThat(shop.path("source").asString()).isEqualTo("shop");
            assertThat(shop.path("deliveries").findValuesAsString("userId"))
                    .containsOnly(alice, bob)
                    .contains(alice, bob);
            JsonNode chat = json(call("/internal/v1/events/" + eventId + "/deliveries?source=chat"));
            assertThat(chat.path("source").asString()).isEqualTo("chat");
            assertThat(chat.path("deliveries").findValuesAsString("userId"))
                    .containsOnly(bob, carol)
                    .contains(bob, carol);
        });
        assertThat(call("/internal/v1/events/" + eventId + "/deliveries?source=other")
                        .statusCode())
                .isEqualTo(404);
        // Asked without an app, the event id names no single app.
        JsonNode source =
                json(call("/internal/v1/events/" + eventId + "/deliveries")).path("source");
        assertThat(source.isNull() || source.isMissingNode())
                .as(source.toString())
                .isTrue();
    }

    @Test
    void anAppReusingAnEventIdForOtherContentIsRoutedAgainUnderTheSameIdsAndNotDeadLettered() {
        String dana = "dana-" + UUID.randomUUID();
        register(dana, "dana-phone-" + UUID.randomUUID());
        UUID eventId = UUID.randomUUID();
        String first = chat(eventId, "shop", "Your order shipped", dana);

        topics.publish(eventId, first);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> topics.pushesOf(eventId).size() == 1);
        topics.publish(eventId, first); // a redelivery
        topics.publish(eventId, chat(eventId, "shop", "Your refund is on its way", dana)); // another event, same id
        UUID marker = UUID.randomUUID();
        topics.publish(eventId, chat(marker, "shop", "marker", dana));
        awaitRouted(marker);

        // Every one is routed, under the ids the first had: dispatch-service sends a delivery id once and the inbox
        // stores a notification id once, so Dana keeps the first one's notification and the second's is lost.
        List<PushDelivery> pushes = topics.pushesOf(eventId);
        assertThat(pushes).extracting(PushDelivery::title).contains("Your order shipped", "Your refund is on its way");
        assertThat(pushes)
                .extracting(PushDelivery::deliveryId)
                .containsOnly(pushes.getFirst().deliveryId());
        assertThat(topics.inAppOf(eventId))
                .extracting(InAppNotification::notificationId)
                .containsOnly(Ids.notificationId(eventId, "shop", dana));
        assertThat(topics.deadLettersOf(eventId)).isEmpty();
    }

    private static String chat(UUID eventId, String source, String title, String... recipients) {
        return """
                {"eventId":"%s","schemaVersion":1,"type":"chat","source":"%s","occurredAt":"2026-12-07T10:00:00Z",
                 "recipients":%s,"title":"%s","body":"Open the app"}
                """.formatted(eventId, source, HeraldJson.mapper().writeValueAsString(List.of(recipients)), title);
    }

    /**
     * Waits until the event's notifications are on the topics, then reads every record routing made up to now: a
     * marker published behind other events under the same key is routed after them, in their poll or a later one.
     */
    private void awaitRouted(UUID eventId) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !topics.inAppOf(eventId).isEmpty());
        topics.recordsToEnd();
    }

    private void register(String user, String token) {
        assertThat(new TokenServiceClient(port)
                        .register(user, token)
                        .path("tokenSuffix")
                        .asString())
                .isNotEmpty();
    }

    private HttpResponse<String> call(String path) {
        return new TokenServiceClient(port).get(path);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return TokenServiceClient.json(response);
    }
}
