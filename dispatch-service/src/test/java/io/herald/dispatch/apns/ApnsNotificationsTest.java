package io.herald.dispatch.apns;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import io.herald.dispatch.TestDeliveries;
import io.herald.events.HeraldJson;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Each rich, silent and change field of a delivery in APNs' own format, as Pushy sends it. */
class ApnsNotificationsTest {

    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
    private static final String TOKEN = "a".repeat(64);

    private static SimpleApnsPushNotification of(PushDelivery delivery) {
        return ApnsNotifications.of(delivery, "dev.herald.app", NOW);
    }

    private static JsonNode payload(SimpleApnsPushNotification notification) {
        return HeraldJson.mapper().readTree(notification.getPayload());
    }

    @Test
    void aRichNotificationCarriesSoundBadgeCategoryAndImageInApsAndCustomKeys() {
        SimpleApnsPushNotification notification = of(TestDeliveries.rich("u1", TOKEN, Provider.APNS));
        JsonNode payload = payload(notification);
        JsonNode aps = payload.path("aps");

        assertThat(aps.path("alert").path("title").asString()).isEqualTo("Your product was liked");
        assertThat(aps.path("sound").asString()).isEqualTo("notificationtone.wav");
        assertThat(aps.path("badge").asInt()).isEqualTo(7);
        assertThat(aps.path("category").asString()).isEqualTo("WORK_ASSIGNMENT");
        assertThat(aps.path("mutable-content").asInt()).isEqualTo(1);
        assertThat(aps.has("content-available")).isFalse();
        assertThat(payload.path("herald.imageUrl").asString()).isEqualTo("https://cdn.example.com/jobs/42.jpg");
        assertThat(payload.path("link").asString()).isEqualTo("app://jobs/42");
        assertThat(payload.path("productId").asString()).isEqualTo("p-1");
        assertThat(HeraldJson.mapper().readTree(payload.path("herald.actions").asString()))
                .isEqualTo(
                        HeraldJson.mapper()
                                .readTree(
                                        "[{\"id\":\"accept\",\"title\":\"Accept\"},{\"id\":\"decline\",\"title\":\"Decline\"}]"));
        assertThat(notification.getPushType()).isEqualTo(PushType.ALERT);
        assertThat(notification.getPriority()).isEqualTo(DeliveryPriority.IMMEDIATE);
        assertThat(notification.getCollapseId()).isEqualTo("likes");
        assertThat(notification.getExpiration()).isEqualTo(NOW.plusSeconds(3600));
    }

    @Test
    void aPlainNotificationHasNoRichFields() {
        JsonNode payload = payload(of(TestDeliveries.like("u1", TOKEN, Provider.APNS)));

        assertThat(payload.path("aps").has("badge")).isFalse();
        assertThat(payload.path("aps").has("category")).isFalse();
        assertThat(payload.path("aps").has("mutable-content")).isFalse();
        assertThat(payload.has("herald.imageUrl")).isFalse();
        assertThat(payload.has("herald.actions")).isFalse();
    }

    @Test
    void anUnresolvedUnreadBadgeIsLeftOutAndZeroClears() {
        PushDelivery like = TestDeliveries.like("u1", TOKEN, Provider.APNS);

        assertThat(payload(of(TestDeliveries.with(like, "badge", "unread")))
                        .path("aps")
                        .has("badge"))
                .isFalse();
        assertThat(payload(of(TestDeliveries.with(like, "badge", 0)))
                        .path("aps")
                        .path("badge")
                        .asInt(-1))
                .isZero();
    }

    @Test
    void aSilentPushIsABackgroundPushAtPriorityFiveWithContentAvailableAlone() {
        PushDelivery delivery = TestDeliveries.with(TestDeliveries.silent("u1", TOKEN, Provider.APNS), "badge", 3);
        SimpleApnsPushNotification notification = of(delivery);
        JsonNode payload = payload(notification);

        assertThat(notification.getPushType()).isEqualTo(PushType.BACKGROUND);
        assertThat(notification.getPriority()).isEqualTo(DeliveryPriority.CONSERVE_POWER);
        assertThat(HeraldJson.mapper().writeValueAsString(payload.path("aps"))).isEqualTo("{\"content-available\":1}");
        assertThat(payload.path("sync").asString()).isEqualTo("messages");
    }

    @Test
    void aWithdrawalIsABackgroundPushUnderTheTargetsCollapseId() {
        PushDelivery target = TestDeliveries.withCollapseKey(TestDeliveries.like("u1", TOKEN, Provider.APNS), null);
        SimpleApnsPushNotification notification = of(TestDeliveries.withdraw(target));
        JsonNode payload = payload(notification);

        assertThat(notification.getPushType()).isEqualTo(PushType.BACKGROUND);
        assertThat(notification.getPriority()).isEqualTo(DeliveryPriority.CONSERVE_POWER);
        assertThat(notification.getCollapseId())
                .isEqualTo(target.notificationId().toString());
        assertThat(payload.path("aps").path("content-available").asInt()).isEqualTo(1);
        assertThat(payload.path("aps").has("alert")).isFalse();
        assertThat(payload.path("herald.change").asString()).isEqualTo("withdraw");
        assertThat(payload.path("herald.notificationId").asString())
                .isEqualTo(target.notificationId().toString());
    }

    @Test
    void aWithdrawalByCollapseKeyUsesTheKey() {
        PushDelivery target = TestDeliveries.like("u1", TOKEN, Provider.APNS);
        PushDelivery withdraw = TestDeliveries.with(TestDeliveries.withdraw(target), "collapseKey", "likes");

        assertThat(of(withdraw).getCollapseId()).isEqualTo("likes");
    }

    @Test
    void anUpdateIsAnAlertThatReplacesItsTarget() {
        PushDelivery target = TestDeliveries.withCollapseKey(TestDeliveries.like("u1", TOKEN, Provider.APNS), null);
        PushDelivery update =
                TestDeliveries.with(TestDeliveries.with(target, "deliveryId", UUID.randomUUID()), "change", "update");
        update = TestDeliveries.with(update, "body", "Now at 3 pm");
        SimpleApnsPushNotification notification = of(update);

        assertThat(notification.getPushType()).isEqualTo(PushType.ALERT);
        assertThat(notification.getCollapseId())
                .isEqualTo(target.notificationId().toString());
        assertThat(payload(notification).path("aps").path("alert").path("body").asString())
                .isEqualTo("Now at 3 pm");
    }
}
