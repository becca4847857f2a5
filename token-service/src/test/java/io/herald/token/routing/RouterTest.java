package io.herald.token.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.Channel;
import io.herald.events.DomainEvent;
import io.herald.events.Ids;
import io.herald.events.Platform;
import io.herald.events.Priority;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.token.devices.ActiveDevice;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RouterTest {

    private static final UUID EVENT = UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e");

    @Test
    void aProductLikeIsRenderedForEachDeviceOfTheOwner() {
        var event = like("bob", List.of("alice"), null, null, Priority.HIGH, null);
        var devices = Map.of("alice", List.of(device("alice", "t1"), device("alice", "t2")));

        Router.Plan plan = Router.plan(event, devices);

        assertThat(plan.inApp()).singleElement().satisfies(n -> {
            assertThat(n.userId()).isEqualTo("alice");
            assertThat(n.notificationId()).isEqualTo(Ids.notificationId(EVENT, "alice"));
            assertThat(n.title()).isEqualTo("Your product was liked");
            assertThat(n.body()).isEqualTo("Bob liked your product \"Red bike\"");
        });
        assertThat(plan.pushes()).extracting(PushDelivery::token).containsExactly("t1", "t2");
        PushDelivery push = plan.pushes().getFirst();
        assertThat(push.deliveryId()).isEqualTo(Ids.deliveryId(EVENT, "alice", "t1"));
        assertThat(push.androidChannelId()).isEqualTo("social");
        assertThat(push.sound()).isEqualTo("default");
        assertThat(push.priority()).isEqualTo(Priority.HIGH);
        assertThat(push.data())
                .containsEntry("productId", "p-1")
                .containsEntry("type", "product_like")
                .containsEntry("eventId", EVENT.toString())
                .containsEntry(
                        "notificationId", Ids.notificationId(EVENT, "alice").toString());
    }

    @Test
    void theActorIsNeverToldAboutTheirOwnAction() {
        var event = like("alice", List.of("alice", "carol", "carol"), null, null, null, null);
        var devices = Map.of("alice", List.of(device("alice", "ta")), "carol", List.of(device("carol", "tc")));

        Router.Plan plan = Router.plan(event, devices);

        assertThat(Router.recipients(event)).containsExactly("carol");
        assertThat(plan.pushes()).extracting(PushDelivery::userId).containsExactly("carol");
        assertThat(plan.inApp()).extracting(n -> n.userId()).containsExactly("carol");
        assertThat(plan.skippedActor()).containsExactly("alice");
    }

    @Test
    void explicitWordsWinAndChannelsAreRespected() {
        var event = like("bob", List.of("alice"), "Hello", "Custom body", null, Set.of(Channel.INAPP));

        Router.Plan plan = Router.plan(event, Map.of("alice", List.of(device("alice", "t1"))));

        assertThat(plan.pushes()).isEmpty();
        assertThat(plan.inApp()).singleElement().satisfies(n -> {
            assertThat(n.title()).isEqualTo("Hello");
            assertThat(n.body()).isEqualTo("Custom body");
        });
    }

    @Test
    void anUnknownTypeGetsATitleFromItsName() {
        assertThat(Templates.humanize("order_status")).isEqualTo("Order status");
        var event = new DomainEvent(
                EVENT,
                1,
                "loyalty_points",
                "shop",
                Instant.EPOCH,
                null,
                List.of("u"),
                null,
                Map.of(),
                null,
                null,
                null,
                null,
                null,
                null);
        assertThat(Templates.render(event).title()).isEqualTo("Loyalty points");
        assertThat(Templates.render(event).priority()).isEqualTo(Priority.NORMAL);
    }

    private static DomainEvent like(
            String actor,
            List<String> recipients,
            String title,
            String body,
            Priority priority,
            Set<Channel> channels) {
        return new DomainEvent(
                EVENT,
                1,
                "product_like",
                "marketplace",
                Instant.parse("2026-11-24T10:00:00Z"),
                new DomainEvent.Actor(actor, Character.toUpperCase(actor.charAt(0)) + actor.substring(1)),
                recipients,
                new DomainEvent.EventObject("p-1", "product", "Red bike"),
                Map.of("productId", "p-1"),
                title,
                body,
                priority,
                null,
                null,
                channels);
    }

    private static ActiveDevice device(String user, String token) {
        return new ActiveDevice(UUID.randomUUID(), user, Provider.FCM, token, Platform.ANDROID, "en-US");
    }
}
