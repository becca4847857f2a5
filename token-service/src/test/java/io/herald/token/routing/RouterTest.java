package io.herald.token.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.Channel;
import io.herald.events.DeliveryStatus;
import io.herald.events.DomainEvent;
import io.herald.events.Ids;
import io.herald.events.InAppNotification;
import io.herald.events.Platform;
import io.herald.events.Priority;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.token.devices.ActiveDevice;
import io.herald.token.preferences.Preferences;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class RouterTest {

    private static final Router ROUTER = new Router(new Templates(Map.of()));
    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final UUID EVENT = UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e");

    @Test
    void aProductLikeIsRenderedForEachDeviceOfTheOwner() {
        var event = like("bob", List.of("alice"), null, null, Priority.HIGH, null);
        var devices = Map.of("alice", List.of(device("alice", "t1"), device("alice", "t2")));

        Router.Plan plan = ROUTER.plan(event, devices, Map.of(), NOW);

        assertThat(plan.inApp()).singleElement().satisfies(n -> {
            assertThat(n.userId()).isEqualTo("alice");
            assertThat(n.notificationId()).isEqualTo(Ids.notificationId(EVENT, "marketplace", "alice"));
            assertThat(n.title()).isEqualTo("Your product was liked");
            assertThat(n.body()).isEqualTo("Bob liked your product \"Red bike\"");
        });
        assertThat(plan.pushes()).extracting(PushDelivery::token).containsExactly("t1", "t2");
        PushDelivery push = plan.pushes().getFirst();
        assertThat(push.deliveryId()).isEqualTo(Ids.deliveryId(EVENT, "marketplace", "alice", "t1"));
        assertThat(push.androidChannelId()).isEqualTo("social");
        assertThat(push.sound()).isEqualTo("default");
        assertThat(push.priority()).isEqualTo(Priority.HIGH);
        assertThat(push.data())
                .containsEntry("productId", "p-1")
                .containsEntry("type", "product_like")
                .containsEntry("eventId", EVENT.toString())
                .containsEntry(
                        "notificationId",
                        Ids.notificationId(EVENT, "marketplace", "alice").toString());
    }

    @Test
    void theSameEventIdFromAnotherAppGetsIdsAndLogEntriesOfItsOwn() {
        var fromShop = like("bob", List.of("alice", "dora"), null, null, null, null);
        var fromChat = new DomainEvent(
                EVENT,
                1,
                "chat",
                "chat",
                NOW,
                null,
                List.of("alice", "dora"),
                null,
                Map.of(),
                "Hi",
                "Hello",
                null,
                null,
                null,
                null);
        var devices = Map.of("alice", List.of(device("alice", "t1")));

        Router.Plan shop = ROUTER.plan(fromShop, devices, Map.of(), NOW);
        Router.Plan chat = ROUTER.plan(fromChat, devices, Map.of(), NOW);

        assertThat(chat.inApp())
                .extracting(InAppNotification::notificationId)
                .doesNotContainAnyElementsOf(shop.inApp().stream()
                        .map(InAppNotification::notificationId)
                        .toList());
        assertThat(chat.pushes().getFirst().deliveryId())
                .isEqualTo(Ids.deliveryId(EVENT, "chat", "alice", "t1"))
                .isNotEqualTo(shop.pushes().getFirst().deliveryId());
        // Every log entry names its notification, and no two apps' entries share a row.
        assertThat(chat.log())
                .allSatisfy(
                        e -> assertThat(e.notificationId()).isEqualTo(Ids.notificationId(EVENT, "chat", e.userId())));
        var rows = new HashSet<List<String>>();
        Stream.concat(shop.log().stream(), chat.log().stream())
                .forEach(e -> assertThat(rows.add(List.of(e.userId(), e.channel(), e.deliveryKey())))
                        .as("%s %s %s", e.userId(), e.channel(), e.deliveryKey())
                        .isTrue());
    }

    @Test
    void theActorIsNeverToldAboutTheirOwnAction() {
        var event = like("alice", List.of("alice", "carol", "carol"), null, null, null, null);
        var devices = Map.of("alice", List.of(device("alice", "ta")), "carol", List.of(device("carol", "tc")));

        Router.Plan plan = ROUTER.plan(event, devices, Map.of(), NOW);

        assertThat(Router.recipients(event)).containsExactly("carol");
        assertThat(plan.pushes()).extracting(PushDelivery::userId).containsExactly("carol");
        assertThat(plan.inApp()).extracting(n -> n.userId()).containsExactly("carol");
        assertThat(plan.log())
                .filteredOn(e -> e.userId().equals("alice"))
                .singleElement()
                .satisfies(e -> assertThat(e.outcome()).isEqualTo(DeliveryStatus.Outcome.SKIPPED));
    }

    @Test
    void explicitWordsWinAndChannelsAreRespected() {
        var event = like("bob", List.of("alice"), "Hello", "Custom body", null, Set.of(Channel.INAPP));

        Router.Plan plan = ROUTER.plan(event, Map.of("alice", List.of(device("alice", "t1"))), Map.of(), NOW);

        assertThat(plan.pushes()).isEmpty();
        assertThat(plan.inApp()).singleElement().satisfies(n -> {
            assertThat(n.title()).isEqualTo("Hello");
            assertThat(n.body()).isEqualTo("Custom body");
        });
    }

    @Test
    void anUnknownTypeWithoutWordsIsSkippedWithAReason() {
        var event = new DomainEvent(
                EVENT,
                1,
                "loyalty_points",
                "shop",
                NOW,
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

        Router.Plan plan = ROUTER.plan(event, Map.of("u", List.of(device("u", "t"))), Map.of(), NOW);

        assertThat(plan.pushes()).isEmpty();
        assertThat(plan.inApp()).isEmpty();
        assertThat(plan.log()).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(DeliveryStatus.Outcome.SKIPPED);
            assertThat(e.reason()).startsWith("no-template");
        });
    }

    @Test
    void everyBuiltInTypeHasWordsAChannelAndVariants() {
        for (String type : List.of(
                "chat",
                "product_like",
                "service_like",
                "service_comment",
                "recommended_product",
                "recommended_service",
                "real_estate",
                "order_created",
                "order_status",
                "payment_confirmed",
                "review_created",
                "work_assigned",
                "work_response",
                "technician_assigned",
                "booking_status")) {
            var rendered = new Templates(Map.of())
                    .render(typed(type, Map.of("message", "hi")), null)
                    .orElseThrow();
            assertThat(rendered.title()).as(type).isNotBlank();
            assertThat(rendered.body()).as(type).isNotBlank();
            assertThat(rendered.androidChannelId()).as(type).isNotBlank();
        }
        var templates = new Templates(Map.of());
        assertThat(templates
                        .render(typed("order_status", Map.of("status", "shipped")), null)
                        .orElseThrow()
                        .title())
                .isEqualTo("Order shipped");
        assertThat(templates
                        .render(typed("booking_status", Map.of("status", "StartJourney")), null)
                        .orElseThrow()
                        .title())
                .isEqualTo("Your technician is on the way");
        assertThat(templates
                        .render(typed("work_response", Map.of("accepted", "false")), null)
                        .orElseThrow()
                        .title())
                .isEqualTo("Work declined");
        assertThat(templates
                        .render(typed("chat", Map.of("message", "See you at 5")), null)
                        .orElseThrow()
                        .body())
                .isEqualTo("See you at 5");
    }

    @Test
    void configuredTemplatesOverrideByLocaleAndFallBackToEnglish() {
        var templates = new Templates(Map.of(
                "product_like",
                Map.of(
                        "fr",
                        new Templates.Template(
                                "Votre produit a plu", "{actor} aime \"{object}\"", "social", Priority.NORMAL))));
        var event = like("bob", List.of("alice"), null, null, null, null);

        assertThat(templates.render(event, "fr-FR").orElseThrow().body()).isEqualTo("Bob aime \"Red bike\"");
        assertThat(templates.render(event, "de-DE").orElseThrow().title()).isEqualTo("Your product was liked");
        assertThat(templates.render(event, null).orElseThrow().title()).isEqualTo("Your product was liked");
    }

    @Test
    void preferencesMuteTypesAndChannelsAndQuietHoursSilencePush() {
        var event = like("bob", List.of("muted", "nopush", "sleeper"), null, null, Priority.HIGH, null);
        var devices = Map.of(
                "muted", List.of(device("muted", "t1")),
                "nopush", List.of(device("nopush", "t2")),
                "sleeper", List.of(device("sleeper", "t3")));
        var preferences = Map.of(
                "muted", new Preferences(false, Set.of("product_like"), Map.of(), null),
                "nopush", new Preferences(false, Set.of(), Map.of("product_like", Set.of("push")), null),
                // 10:00 UTC is 19:00 in Tokyo: inside 18:00-08:00.
                "sleeper",
                        new Preferences(
                                false, Set.of(), Map.of(), new Preferences.QuietHours("18:00", "08:00", "Asia/Tokyo")));

        Router.Plan plan = ROUTER.plan(event, devices, preferences, NOW);

        assertThat(plan.inApp()).extracting(n -> n.userId()).containsExactlyInAnyOrder("nopush", "sleeper");
        assertThat(plan.pushes()).singleElement().satisfies(p -> {
            assertThat(p.userId()).isEqualTo("sleeper");
            assertThat(p.sound()).isNull();
            assertThat(p.priority()).isEqualTo(Priority.NORMAL);
        });
        assertThat(plan.log())
                .filteredOn(e -> e.userId().equals("muted"))
                .allSatisfy(e -> assertThat(e.reason()).isEqualTo("muted by preferences"));
    }

    @Test
    void aPushOverFcmsPayloadLimitIsSkippedButTheInAppCopyArrives() {
        var event = like("bob", List.of("alice"), null, "x".repeat(5000), null, null);
        Router.Plan plan = ROUTER.plan(event, Map.of("alice", List.of(device("alice", "t1"))), Map.of(), NOW);

        assertThat(plan.pushes()).isEmpty();
        assertThat(plan.inApp()).hasSize(1);
        assertThat(plan.log()).anySatisfy(e -> assertThat(e.reason()).startsWith("payload-too-large"));
    }

    @Test
    void aRecipientWithoutDevicesIsLoggedAsSkippedForPush() {
        Router.Plan plan = ROUTER.plan(like("bob", List.of("alice"), null, null, null, null), Map.of(), Map.of(), NOW);
        assertThat(plan.inApp()).hasSize(1);
        assertThat(plan.log()).anySatisfy(e -> {
            assertThat(e.channel()).isEqualTo("push");
            assertThat(e.reason()).isEqualTo("no-active-devices");
        });
    }

    private static DomainEvent typed(String type, Map<String, String> data) {
        return new DomainEvent(
                EVENT,
                1,
                type,
                "app",
                NOW,
                new DomainEvent.Actor("bob", "Bob"),
                List.of("alice"),
                new DomainEvent.EventObject("o-1", "thing", "Thing"),
                data,
                null,
                null,
                null,
                null,
                null,
                null);
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
