package io.herald.dispatch.fcm;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.dispatch.TestDeliveries;
import io.herald.events.HeraldJson;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Each rich, silent and change field of a delivery in FCM HTTP v1's own format, as the request body carries it. */
class FcmMessagesTest {

    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    private static JsonNode wire(PushDelivery delivery) {
        return HeraldJson.mapper()
                .readTree(FcmJson.body(FcmMessages.of(delivery, NOW)))
                .path("message");
    }

    @Test
    void aRichNotificationCarriesImageSoundBadgeCategoryAndActionsInFcmsFields() {
        JsonNode message = wire(TestDeliveries.rich("u1", "tok-1", Provider.FCM));

        assertThat(message.path("notification").path("image").asString())
                .isEqualTo("https://cdn.example.com/jobs/42.jpg");
        JsonNode android = message.path("android").path("notification");
        assertThat(android.path("image").asString()).isEqualTo("https://cdn.example.com/jobs/42.jpg");
        assertThat(android.path("sound").asString()).isEqualTo("notificationtone.wav");
        assertThat(android.path("click_action").asString()).isEqualTo("WORK_ASSIGNMENT");
        assertThat(android.path("notification_count").asInt()).isEqualTo(7);
        assertThat(android.path("channel_id").asString()).isEqualTo("social");
        JsonNode apns = message.path("apns");
        assertThat(apns.path("headers").path("apns-push-type").asString()).isEqualTo("alert");
        assertThat(apns.path("headers").path("apns-priority").asString()).isEqualTo("10");
        assertThat(apns.path("fcm_options").path("image").asString()).isEqualTo("https://cdn.example.com/jobs/42.jpg");
        JsonNode aps = apns.path("payload").path("aps");
        assertThat(aps.path("badge").asInt()).isEqualTo(7);
        assertThat(aps.path("sound").asString()).isEqualTo("notificationtone.wav");
        assertThat(aps.path("category").asString()).isEqualTo("WORK_ASSIGNMENT");
        assertThat(aps.path("mutable-content").asInt()).isEqualTo(1);
        assertThat(aps.has("content-available")).isFalse();
    }

    @Test
    void theLinkAndTheActionsReachTheAppInItsDataBesideItsOwnKeys() {
        JsonNode data = wire(TestDeliveries.rich("u1", "tok-1", Provider.FCM)).path("data");

        assertThat(data.path("productId").asString()).isEqualTo("p-1");
        assertThat(data.path("link").asString()).isEqualTo("app://jobs/42");
        assertThat(data.path("herald.actions").isString()).isTrue();
        assertThat(HeraldJson.mapper().readTree(data.path("herald.actions").asString()))
                .isEqualTo(
                        HeraldJson.mapper()
                                .readTree(
                                        "[{\"id\":\"accept\",\"title\":\"Accept\"},{\"id\":\"decline\",\"title\":\"Decline\"}]"));
    }

    @Test
    void theAppsOwnLinkKeyIsNeverOverwritten() {
        PushDelivery delivery = TestDeliveries.with(
                TestDeliveries.rich("u1", "tok-1", Provider.FCM), "data", java.util.Map.of("link", "mine://x"));

        assertThat(wire(delivery).path("data").path("link").asString()).isEqualTo("mine://x");
    }

    @Test
    void aZeroBadgeClearsItAndAnUnresolvedUnreadBadgeLeavesItAlone() {
        PushDelivery zero = TestDeliveries.with(TestDeliveries.like("u1", "tok-1", Provider.FCM), "badge", 0);
        assertThat(wire(zero)
                        .path("android")
                        .path("notification")
                        .path("notification_count")
                        .asInt(-1))
                .isZero();
        assertThat(wire(zero)
                        .path("apns")
                        .path("payload")
                        .path("aps")
                        .path("badge")
                        .asInt(-1))
                .isZero();

        PushDelivery unread = TestDeliveries.with(TestDeliveries.like("u1", "tok-1", Provider.FCM), "badge", "unread");
        assertThat(wire(unread).path("android").path("notification").has("notification_count"))
                .isFalse();
        assertThat(wire(unread).path("apns").path("payload").path("aps").has("badge"))
                .isFalse();
    }

    @Test
    void aPlainNotificationHasNoRichFields() {
        JsonNode message = wire(TestDeliveries.like("u1", "tok-1", Provider.FCM));

        assertThat(message.path("notification").has("image")).isFalse();
        assertThat(message.path("android").path("notification").has("click_action"))
                .isFalse();
        assertThat(message.path("apns").has("fcm_options")).isFalse();
        assertThat(message.path("apns").path("payload").path("aps").has("mutable-content"))
                .isFalse();
        assertThat(message.path("data").has("herald.actions")).isFalse();
        assertThat(message.path("data").has("link")).isFalse();
    }

    @Test
    void aSilentPushIsADataMessageAndABackgroundPushOnIos() {
        PushDelivery delivery = TestDeliveries.with(TestDeliveries.silent("u1", "tok-1", Provider.FCM), "badge", 4);
        JsonNode message = wire(delivery);

        assertThat(message.has("notification")).isFalse();
        assertThat(message.path("android").has("notification")).isFalse();
        assertThat(message.path("data").path("sync").asString()).isEqualTo("messages");
        JsonNode apns = message.path("apns");
        assertThat(apns.path("headers").path("apns-push-type").asString()).isEqualTo("background");
        assertThat(apns.path("headers").path("apns-priority").asString()).isEqualTo("5");
        // content-available alone: no alert, sound or badge in a background push
        assertThat(HeraldJson.mapper().writeValueAsString(apns.path("payload").path("aps")))
                .isEqualTo("{\"content-available\":1}");
    }

    @Test
    void aWithdrawalIsSilentAndCarriesTheTargetsReplaceKey() {
        PushDelivery target = TestDeliveries.withCollapseKey(TestDeliveries.like("u1", "tok-1", Provider.FCM), null);
        JsonNode message = wire(TestDeliveries.withdraw(target));

        assertThat(message.has("notification")).isFalse();
        assertThat(message.path("android").has("notification")).isFalse();
        assertThat(message.path("apns").path("headers").path("apns-collapse-id").asString())
                .isEqualTo(target.notificationId().toString());
        assertThat(message.path("apns").path("headers").path("apns-push-type").asString())
                .isEqualTo("background");
        assertThat(message.path("apns")
                        .path("payload")
                        .path("aps")
                        .path("content-available")
                        .asInt())
                .isEqualTo(1);
        assertThat(message.path("data").path("herald.change").asString()).isEqualTo("withdraw");
        assertThat(message.path("data").path("herald.notificationId").asString())
                .isEqualTo(target.notificationId().toString());
    }

    @Test
    void aWithdrawalByCollapseKeyReplacesUnderThatKey() {
        PushDelivery target = TestDeliveries.like("u1", "tok-1", Provider.FCM);
        PushDelivery withdraw = TestDeliveries.with(TestDeliveries.withdraw(target), "collapseKey", "likes");
        JsonNode message = wire(withdraw);

        assertThat(message.path("apns").path("headers").path("apns-collapse-id").asString())
                .isEqualTo("likes");
        assertThat(message.path("android").path("collapse_key").asString()).isEqualTo("likes");
    }

    @Test
    void anUpdateIsANotificationThatReplacesItsTarget() {
        PushDelivery target = TestDeliveries.withCollapseKey(TestDeliveries.like("u1", "tok-1", Provider.FCM), null);
        PushDelivery update = TestDeliveries.with(
                TestDeliveries.with(target, "deliveryId", java.util.UUID.randomUUID()), "change", "update");
        update = TestDeliveries.with(update, "title", "Job moved to 3 pm");
        JsonNode message = wire(update);

        assertThat(message.path("notification").path("title").asString()).isEqualTo("Job moved to 3 pm");
        assertThat(message.path("android").path("notification").path("tag").asString())
                .isEqualTo(target.notificationId().toString());
        assertThat(message.path("apns").path("headers").path("apns-collapse-id").asString())
                .isEqualTo(target.notificationId().toString());
        assertThat(message.path("apns").path("headers").path("apns-push-type").asString())
                .isEqualTo("alert");
    }
}
