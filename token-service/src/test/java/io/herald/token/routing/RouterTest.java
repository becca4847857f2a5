package io.herald.token.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.Action;
import io.herald.events.Badge;
import io.herald.events.Change;
import io.herald.events.Channel;
import io.herald.events.DeliveryStatus;
import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
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
                .containsEntry("herald.eventId", EVENT.toString())
                .containsEntry(
                        "herald.notificationId",
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
    void aDeliveryPlannedOnEveryChannelIsNoLogEntryOnlyASkipIs() {
        var event = like("bob", List.of("alice", "carol"), null, null, null, null);

        Router.Plan plan = ROUTER.plan(event, Map.of("alice", List.of(device("alice", "t1"))), Map.of(), NOW);

        assertThat(plan.inApp()).hasSize(2);
        assertThat(plan.pushes()).hasSize(1);
        assertThat(plan.log()).singleElement().satisfies(e -> {
            assertThat(e.userId()).isEqualTo("carol");
            assertThat(e.channel()).isEqualTo("push");
            assertThat(e.outcome()).isEqualTo(DeliveryStatus.Outcome.SKIPPED);
            assertThat(e.reason()).isEqualTo("no-active-devices");
        });
    }

    @Test
    void aPollRoutesTheSameEventOnceButAnIdReusedForOtherContentToo() {
        var first = new Ev("chat").words("Shipped", "Your order shipped").build();
        var again = new Ev("chat").words("Shipped", "Your order shipped").build();
        var other = new Ev("chat").words("Refund", "Your refund is on its way").build();

        assertThat(RoutingListener.onceEach(List.of(first, again, other))).containsExactly(first, other);
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
                .isEqualTo("Order Update");
        assertThat(templates
                        .render(typed("booking_status", Map.of("status", "StartJourney")), null)
                        .orElseThrow()
                        .title())
                .isEqualTo("Technician is on the way! \uD83D\uDE97");
        assertThat(templates
                        .render(typed("work_response", Map.of("accepted", "false")), null)
                        .orElseThrow()
                        .title())
                .isEqualTo("Work declined");
        assertThat(templates
                        .render(typed("chat", Map.of("message", "See you at 5")), null)
                        .orElseThrow()
                        .body())
                .isEqualTo("Bob: See you at 5");
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

    @Test
    void theAppsDataPassesThroughAndHeraldAddsOnlyWhatIsMissingAndItsOwnIds() {
        var ownType = new Ev("order_created")
                .data(Map.of("type", "order", "orderId", "42", "object_id", "app-object", "link", "app://order/42"))
                .object("o-42")
                .link("app://elsewhere")
                .build();
        var bare = new Ev("product_like")
                .data(Map.of("productId", "p-1"))
                .object("p-1")
                .link("app://p/1")
                .build();
        var devices = Map.of("alice", List.of(device("alice", "t1")));

        PushDelivery own = ROUTER.plan(ownType, devices, Map.of(), NOW).pushes().getFirst();
        Router.Plan barePlan = ROUTER.plan(bare, devices, Map.of(), NOW);

        String notification = Ids.notificationId(EVENT, "shop", "alice").toString();
        assertThat(own.data())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "type", "order",
                        "orderId", "42",
                        "object_id", "app-object",
                        "link", "app://order/42",
                        "herald.eventId", EVENT.toString(),
                        "herald.notificationId", notification));
        assertThat(barePlan.pushes().getFirst().data())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "productId", "p-1",
                        "type", "product_like",
                        "object_id", "p-1",
                        "link", "app://p/1",
                        "herald.eventId", EVENT.toString(),
                        "herald.notificationId", notification));
        assertThat(barePlan.inApp().getFirst().data())
                .isEqualTo(barePlan.pushes().getFirst().data());
    }

    @Test
    void heraldsOwnKeysCountTowardsThePushPayloadLimit() {
        // Words and data that fit FCM's 4,096 bytes by themselves, but not with the keys Herald adds.
        var probe = new Ev("chat").data(Map.of("message", "")).words("T", "").build();
        int withoutHeraldKeys = HeraldJson.mapper()
                .writeValueAsBytes(Map.of(
                        "notification",
                        Map.of("title", "T", "body", ""),
                        "data",
                        Map.of("message", "", "type", "chat")))
                .length;
        String body = "x".repeat(Router.MAX_PUSH_PAYLOAD_BYTES - withoutHeraldKeys - 10);
        var event = new Ev("chat").data(Map.of("message", "")).words("T", body).build();

        Router.Plan plan = ROUTER.plan(event, Map.of("alice", List.of(device("alice", "t1"))), Map.of(), NOW);

        assertThat(ROUTER.plan(probe, Map.of("alice", List.of(device("alice", "t1"))), Map.of(), NOW)
                        .pushes())
                .hasSize(1);
        assertThat(plan.pushes()).isEmpty();
        assertThat(plan.log()).anySatisfy(e -> assertThat(e.reason()).startsWith("payload-too-large"));
    }

    @Test
    void richFieldsReachThePushAndTheInbox() {
        var event = new Ev("work_assigned")
                .object("w-1")
                .image("https://img.example/w.png")
                .link("app://work/w-1")
                .actions(List.of(new Action("accept", "Accept"), new Action("decline", "Decline")))
                .sound("notificationtone.wav")
                .badge(Badge.UNREAD)
                .collapseKey("work-w-1")
                .build();

        Router.Plan plan = ROUTER.plan(event, Map.of("alice", List.of(device("alice", "t1"))), Map.of(), NOW);

        assertThat(plan.pushes()).singleElement().satisfies(p -> {
            assertThat(p.imageUrl()).isEqualTo("https://img.example/w.png");
            assertThat(p.link()).isEqualTo("app://work/w-1");
            assertThat(p.actions()).extracting(Action::id).containsExactly("accept", "decline");
            assertThat(p.category())
                    .as("defaults to the type when there are actions")
                    .isEqualTo("work_assigned");
            assertThat(p.sound()).isEqualTo("notificationtone.wav");
            assertThat(p.badge()).isEqualTo(Badge.UNREAD);
            assertThat(p.collapseKey()).isEqualTo("work-w-1");
            assertThat(p.inApp()).isTrue();
            assertThat(p.silent()).isFalse();
            assertThat(p.change()).isNull();
        });
        assertThat(plan.inApp()).singleElement().satisfies(n -> {
            assertThat(n.source()).isEqualTo("shop");
            assertThat(n.link()).isEqualTo("app://work/w-1");
            assertThat(n.imageUrl()).isEqualTo("https://img.example/w.png");
            assertThat(n.collapseKey()).isEqualTo("work-w-1");
            assertThat(n.change()).isNull();
        });

        var named = new Ev("work_assigned")
                .actions(List.of(new Action("accept", "Accept")))
                .category("WORK_INVITE")
                .channels(Set.of(Channel.PUSH))
                .build();
        PushDelivery push = ROUTER.plan(named, Map.of("alice", List.of(device("alice", "t1"))), Map.of(), NOW)
                .pushes()
                .getFirst();
        assertThat(push.category()).isEqualTo("WORK_INVITE");
        assertThat(push.inApp()).as("no inbox item asked for").isFalse();
        assertThat(ROUTER.plan(
                                new Ev("work_assigned").build(),
                                Map.of("alice", List.of(device("alice", "t1"))),
                                Map.of(),
                                NOW)
                        .pushes()
                        .getFirst())
                .satisfies(p -> {
                    assertThat(p.category()).as("no actions, no category").isNull();
                    assertThat(p.badge()).isNull();
                    assertThat(p.sound()).isEqualTo("default");
                });
    }

    @Test
    void aTemplatesSoundChannelAndBadgeApplyUnlessTheEventSetsItsOwnAndQuietHoursDropTheSound() {
        var router = new Router(new Templates(Map.of(
                "booking_status",
                Map.of(
                        "en",
                        new Templates.Template(null, null, "urgent", null, "notificationtone.wav", Badge.of(1))))));
        var devices = Map.of("alice", List.of(device("alice", "t1")), "sleeper", List.of(device("sleeper", "t2")));
        var preferences = Map.of(
                "sleeper",
                new Preferences(false, Set.of(), Map.of(), new Preferences.QuietHours("18:00", "08:00", "Asia/Tokyo")));
        var event = new Ev("booking_status")
                .recipients(List.of("alice", "sleeper"))
                .data(Map.of("status", "Reached"))
                .build();

        Router.Plan plan = router.plan(event, devices, preferences, NOW);

        assertThat(plan.pushes())
                .filteredOn(p -> p.userId().equals("alice"))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.sound()).isEqualTo("notificationtone.wav");
                    assertThat(p.androidChannelId()).isEqualTo("urgent");
                    assertThat(p.badge()).isEqualTo(Badge.of(1));
                    assertThat(p.title())
                            .as("words from the built-in template")
                            .isEqualTo("Technician has arrived! \u2705");
                });
        assertThat(plan.pushes())
                .filteredOn(p -> p.userId().equals("sleeper"))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.sound()).isNull();
                    assertThat(p.badge()).isEqualTo(Badge.of(1));
                });
        PushDelivery own = router.plan(
                        new Ev("booking_status")
                                .sound("chime.wav")
                                .badge(Badge.of(7))
                                .build(),
                        devices,
                        Map.of(),
                        NOW)
                .pushes()
                .getFirst();
        assertThat(own.sound()).isEqualTo("chime.wav");
        assertThat(own.badge()).isEqualTo(Badge.of(7));
    }

    @Test
    void aSilentEventIsOneDataOnlyPushPerDeviceAndNoInboxItemAndNeedsNoTemplate() {
        var event = new Ev("chat_sync")
                .data(Map.of("threadId", "t-9"))
                .silent()
                .badge(Badge.of(3))
                .build();
        var devices = Map.of("alice", List.of(device("alice", "t1"), device("alice", "t2")));

        Router.Plan plan = ROUTER.plan(event, devices, Map.of(), NOW);

        assertThat(plan.inApp()).isEmpty();
        assertThat(plan.pushes()).hasSize(2).allSatisfy(p -> {
            assertThat(p.silent()).isTrue();
            assertThat(p.title()).isEmpty();
            assertThat(p.body()).isEmpty();
            assertThat(p.sound()).isNull();
            assertThat(p.inApp()).isFalse();
            assertThat(p.badge()).isEqualTo(Badge.of(3));
            assertThat(p.notificationId()).isEqualTo(Ids.notificationId(EVENT, "shop", "alice"));
            assertThat(p.data())
                    .containsEntry("threadId", "t-9")
                    .containsEntry("type", "chat_sync")
                    .containsEntry("herald.eventId", EVENT.toString());
        });
        assertThat(plan.log())
                .filteredOn(e -> e.channel().equals("inapp"))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.outcome()).isEqualTo(DeliveryStatus.Outcome.SKIPPED);
                    assertThat(e.reason()).startsWith("silent");
                });
        // A planned push is no entry: dispatch-service's record of its send is.
        assertThat(plan.log()).filteredOn(e -> e.channel().equals("push")).isEmpty();
    }

    @Test
    void aWithdrawalByEventIdNamesTheEarlierNotificationEverywhereAndNeedsNoTemplateNorPreferences() {
        UUID earlier = UUID.fromString("11111111-2222-4333-8444-555555555555");
        var event = new Ev("assignment_taken")
                .change(Change.withdraw(earlier))
                .recipients(List.of("alice", "muted"))
                .build();
        var devices = Map.of("alice", List.of(device("alice", "t1")), "muted", List.of(device("muted", "t2")));
        var preferences = Map.of("muted", new Preferences(true, Set.of(), Map.of(), null));

        Router.Plan plan = ROUTER.plan(event, devices, preferences, NOW);

        UUID target = Ids.notificationId(earlier, "shop", "alice");
        assertThat(plan.inApp()).hasSize(2);
        assertThat(plan.inApp())
                .filteredOn(n -> n.userId().equals("alice"))
                .singleElement()
                .satisfies(n -> {
                    assertThat(n.change()).isEqualTo(Change.Kind.WITHDRAW);
                    assertThat(n.notificationId()).isEqualTo(target);
                    assertThat(n.eventId()).isEqualTo(EVENT);
                    assertThat(n.collapseKey()).isNull();
                    assertThat(n.source()).isEqualTo("shop");
                });
        assertThat(plan.pushes()).hasSize(2);
        assertThat(plan.pushes())
                .filteredOn(p -> p.userId().equals("alice"))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.change()).isEqualTo(Change.Kind.WITHDRAW);
                    assertThat(p.silent()).isTrue();
                    assertThat(p.notificationId()).isEqualTo(target);
                    assertThat(p.deliveryId()).isEqualTo(Ids.deliveryId(EVENT, "shop", "alice", "t1"));
                    assertThat(p.title()).isEmpty();
                    assertThat(p.sound()).isNull();
                    assertThat(p.collapseKey()).isNull();
                    assertThat(p.data())
                            .containsEntry("herald.change", "withdraw")
                            .containsEntry("herald.notificationId", target.toString())
                            .doesNotContainKey("herald.collapseKey");
                });
        // Nothing skipped (preferences are not asked), nothing to log here.
        assertThat(plan.log()).isEmpty();
    }

    @Test
    void aWithdrawalByCollapseKeyCarriesTheKeyUnderItsOwnNotificationId() {
        var event = new Ev("work_assigned")
                .change(Change.withdrawCollapseKey("job-7"))
                .build();

        Router.Plan plan = ROUTER.plan(event, Map.of("alice", List.of(device("alice", "t1"))), Map.of(), NOW);

        UUID own = Ids.notificationId(EVENT, "shop", "alice");
        assertThat(plan.inApp()).singleElement().satisfies(n -> {
            assertThat(n.change()).isEqualTo(Change.Kind.WITHDRAW);
            assertThat(n.notificationId()).isEqualTo(own);
            assertThat(n.collapseKey()).isEqualTo("job-7");
        });
        assertThat(plan.pushes()).singleElement().satisfies(p -> {
            assertThat(p.notificationId()).isEqualTo(own);
            assertThat(p.collapseKey()).isEqualTo("job-7");
            assertThat(p.silent()).isTrue();
            assertThat(p.data())
                    .containsEntry("herald.change", "withdraw")
                    .containsEntry("herald.collapseKey", "job-7")
                    .containsEntry("herald.notificationId", own.toString());
        });
        assertThat(plan.log()).isEmpty();
    }

    @Test
    void anUpdateReplacesTheWordsOfTheEarlierNotificationUnderItsId() {
        UUID earlier = UUID.fromString("11111111-2222-4333-8444-555555555555");
        var event = new Ev("booking_status")
                .change(Change.update(earlier))
                .data(Map.of("status", "Completed"))
                .object("b-1")
                .build();

        Router.Plan plan = ROUTER.plan(event, Map.of("alice", List.of(device("alice", "t1"))), Map.of(), NOW);

        UUID target = Ids.notificationId(earlier, "shop", "alice");
        assertThat(plan.inApp()).singleElement().satisfies(n -> {
            assertThat(n.change()).isEqualTo(Change.Kind.UPDATE);
            assertThat(n.notificationId()).isEqualTo(target);
            assertThat(n.title()).isEqualTo("Service Completed! \uD83C\uDF89");
        });
        assertThat(plan.pushes()).singleElement().satisfies(p -> {
            assertThat(p.change()).isEqualTo(Change.Kind.UPDATE);
            assertThat(p.silent()).isFalse();
            assertThat(p.notificationId()).isEqualTo(target);
            assertThat(p.deliveryId()).isEqualTo(Ids.deliveryId(EVENT, "shop", "alice", "t1"));
            assertThat(p.title()).isEqualTo("Service Completed! \uD83C\uDF89");
            assertThat(p.sound()).isEqualTo("default");
            assertThat(p.data())
                    .containsEntry("herald.change", "update")
                    .containsEntry("herald.notificationId", target.toString());
        });
        assertThat(plan.log()).isEmpty();

        var wordless = new Ev("loyalty_points").change(Change.update(earlier)).build();
        Router.Plan skipped = ROUTER.plan(wordless, Map.of("alice", List.of(device("alice", "t1"))), Map.of(), NOW);
        assertThat(skipped.inApp()).isEmpty();
        assertThat(skipped.pushes()).isEmpty();
        assertThat(skipped.log())
                .singleElement()
                .satisfies(e -> assertThat(e.reason()).startsWith("no-template"));
        var worded = new Ev("loyalty_points")
                .change(Change.update(earlier))
                .words("Points", "You have 12 points")
                .build();
        assertThat(ROUTER.plan(worded, Map.of(), Map.of(), NOW).inApp())
                .singleElement()
                .satisfies(n -> assertThat(n.body()).isEqualTo("You have 12 points"));
    }

    /**
     * With quiet hours that defer, a push planned within them is not sent: the in-app notification goes now, the push
     * is a deferral until the hours end, logged {@code deferred} per device under the delivery id it will have.
     */
    @Test
    void quietHoursThatDeferHoldThePushUntilTheyEndAndLetTheInboxItemGo() {
        var devices = Map.of(
                "alice", List.of(device("alice", "t1")),
                "sleeper", List.of(device("sleeper", "t2"), device("sleeper", "t3")));
        // 19:00 in Tokyo at NOW: within 18:00-08:00, which end at 08:00 the next day (23:00Z).
        var preferences = Map.of(
                "sleeper",
                new Preferences(
                        false,
                        Set.of(),
                        Map.of(),
                        new Preferences.QuietHours("18:00", "08:00", "Asia/Tokyo", Preferences.QuietMode.DEFER)));
        Instant end = Instant.parse("2026-11-24T23:00:00Z");
        var event = new Ev("chat")
                .recipients(List.of("alice", "sleeper"))
                .words("Hi", "There")
                .build();

        Router.Plan plan = ROUTER.plan(event, devices, preferences, NOW);

        assertThat(plan.inApp()).extracting(InAppNotification::userId).containsExactly("alice", "sleeper");
        assertThat(plan.pushes()).extracting(PushDelivery::userId).containsExactly("alice");
        assertThat(plan.deferred()).singleElement().satisfies(d -> {
            assertThat(d.userId()).isEqualTo("sleeper");
            assertThat(d.until()).isEqualTo(end);
            assertThat(d.pushes()).extracting(PushDelivery::token).containsExactly("t2", "t3");
        });
        assertThat(plan.log())
                .extracting(e -> e.userId() + " " + e.channel() + " " + e.deliveryKey() + " " + e.provider() + " "
                        + e.outcome().wireName() + " " + e.reason())
                .containsExactly(
                        "sleeper push " + Ids.deliveryId(EVENT, "shop", "sleeper", "t2") + " fcm deferred"
                                + " quiet-hours: until 2026-11-24T23:00:00Z",
                        "sleeper push " + Ids.deliveryId(EVENT, "shop", "sleeper", "t3") + " fcm deferred"
                                + " quiet-hours: until 2026-11-24T23:00:00Z");
        // Outside the hours (at their end), the push goes as usual, with its sound.
        Router.Plan later = ROUTER.plan(event.withChannels(Set.of(Channel.PUSH)), devices, preferences, end);
        assertThat(later.deferred()).isEmpty();
        assertThat(later.inApp()).isEmpty();
        assertThat(later.pushes())
                .filteredOn(p -> p.userId().equals("sleeper"))
                .extracting(PushDelivery::deliveryId)
                .containsExactly(
                        Ids.deliveryId(EVENT, "shop", "sleeper", "t2"), Ids.deliveryId(EVENT, "shop", "sleeper", "t3"));
        // A silent event's push is deferred too; a withdrawal's never is.
        assertThat(ROUTER.plan(
                                new Ev("sync")
                                        .silent()
                                        .recipients(List.of("sleeper"))
                                        .build(),
                                devices,
                                preferences,
                                NOW)
                        .deferred())
                .singleElement()
                .satisfies(d -> assertThat(d.until()).isEqualTo(end));
        Router.Plan withdrawal = ROUTER.plan(
                new Ev("chat")
                        .recipients(List.of("sleeper"))
                        .change(Change.withdraw(UUID.randomUUID()))
                        .build(),
                devices,
                preferences,
                NOW);
        assertThat(withdrawal.deferred()).isEmpty();
        assertThat(withdrawal.pushes()).hasSize(2);
    }

    @Test
    void deferredPushesAreHeldAsOnePushOnlyPartPerEndOfQuietHours() {
        var event = new Ev("chat").recipients(List.of("a", "b", "c")).build();
        Instant seven = Instant.parse("2026-11-25T07:00:00Z");
        Instant eight = Instant.parse("2026-11-25T08:00:00Z");
        var deferrals = List.of(
                new Router.Deferral("a", eight, List.of()),
                new Router.Deferral("b", seven, List.of()),
                new Router.Deferral("c", eight, List.of()));

        List<ScheduledEvents.Held> parts = RoutingListener.deferredParts(event, deferrals);

        assertThat(parts)
                .extracting(h -> h.event().deliverAt() + " " + h.event().recipients() + " "
                        + h.event().channels())
                .containsExactly("2026-11-25T07:00:00Z [b] [PUSH]", "2026-11-25T08:00:00Z [a, c] [PUSH]");
        assertThat(parts).allSatisfy(h -> assertThat(h.part()).startsWith("quiet:"));
        assertThat(RoutingListener.deferredParts(event, List.of())).isEmpty();
    }

    /** A domain event with every field, built a field at a time: {@code shop}'s, to alice, by Bob. */
    private static final class Ev {
        private final String type;
        private List<String> recipients = List.of("alice");
        private DomainEvent.EventObject object;
        private Map<String, String> data = Map.of();
        private String title;
        private String body;
        private String collapseKey;
        private Set<Channel> channels;
        private String imageUrl;
        private String link;
        private List<Action> actions;
        private String category;
        private String sound;
        private Badge badge;
        private boolean silent;
        private Change change;

        Ev(String type) {
            this.type = type;
        }

        Ev recipients(List<String> value) {
            recipients = value;
            return this;
        }

        Ev object(String id) {
            object = new DomainEvent.EventObject(id, "thing", "Thing " + id);
            return this;
        }

        Ev data(Map<String, String> value) {
            data = value;
            return this;
        }

        Ev words(String t, String b) {
            title = t;
            body = b;
            return this;
        }

        Ev collapseKey(String value) {
            collapseKey = value;
            return this;
        }

        Ev channels(Set<Channel> value) {
            channels = value;
            return this;
        }

        Ev image(String value) {
            imageUrl = value;
            return this;
        }

        Ev link(String value) {
            link = value;
            return this;
        }

        Ev actions(List<Action> value) {
            actions = value;
            return this;
        }

        Ev category(String value) {
            category = value;
            return this;
        }

        Ev sound(String value) {
            sound = value;
            return this;
        }

        Ev badge(Badge value) {
            badge = value;
            return this;
        }

        Ev silent() {
            silent = true;
            return this;
        }

        Ev change(Change value) {
            change = value;
            return this;
        }

        DomainEvent build() {
            return new DomainEvent(
                    EVENT,
                    1,
                    type,
                    "shop",
                    NOW,
                    new DomainEvent.Actor("bob", "Bob"),
                    recipients,
                    object,
                    data,
                    title,
                    body,
                    null,
                    null,
                    collapseKey,
                    channels,
                    imageUrl,
                    link,
                    actions,
                    category,
                    sound,
                    badge,
                    silent,
                    change);
        }
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
