package io.herald.dispatch.expo;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.dispatch.TestDeliveries;
import io.herald.events.HeraldJson;
import io.herald.events.Priority;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Each rich, silent and change field of a delivery in the Expo push API's own format. */
class ExpoMessageTest {

    private static final String TOKEN = "ExponentPushToken[abc]";

    private static JsonNode wire(PushDelivery delivery) {
        return HeraldJson.mapper().readTree(HeraldJson.mapper().writeValueAsBytes(ExpoProvider.message(delivery)));
    }

    @Test
    void aRichNotificationCarriesSoundBadgeCategoryAndImageInExposFields() {
        JsonNode message = wire(TestDeliveries.rich("u1", TOKEN, Provider.EXPO));

        assertThat(message.path("title").asString()).isEqualTo("Your product was liked");
        assertThat(message.path("sound").asString()).isEqualTo("notificationtone.wav");
        assertThat(message.path("badge").asInt()).isEqualTo(7);
        assertThat(message.path("categoryId").asString()).isEqualTo("WORK_ASSIGNMENT");
        assertThat(message.path("richContent").path("image").asString())
                .isEqualTo("https://cdn.example.com/jobs/42.jpg");
        assertThat(message.path("mutableContent").asBoolean()).isTrue();
        assertThat(message.path("channelId").asString()).isEqualTo("social");
        assertThat(message.path("priority").asString()).isEqualTo("high");
        assertThat(message.has("_contentAvailable")).isFalse();
        JsonNode data = message.path("data");
        assertThat(data.path("productId").asString()).isEqualTo("p-1");
        assertThat(data.path("link").asString()).isEqualTo("app://jobs/42");
        assertThat(HeraldJson.mapper().readTree(data.path("herald.actions").asString()))
                .isEqualTo(
                        HeraldJson.mapper()
                                .readTree(
                                        "[{\"id\":\"accept\",\"title\":\"Accept\"},{\"id\":\"decline\",\"title\":\"Decline\"}]"));
    }

    @Test
    void aPlainNotificationHasNoRichFields() {
        JsonNode message = wire(TestDeliveries.like("u1", TOKEN, Provider.EXPO));

        assertThat(message.has("badge")).isFalse();
        assertThat(message.has("categoryId")).isFalse();
        assertThat(message.has("richContent")).isFalse();
        assertThat(message.has("mutableContent")).isFalse();
        assertThat(message.has("_contentAvailable")).isFalse();
        assertThat(message.path("data").has("herald.actions")).isFalse();
    }

    @Test
    void anUnresolvedUnreadBadgeIsLeftOut() {
        PushDelivery unread = TestDeliveries.with(TestDeliveries.like("u1", TOKEN, Provider.EXPO), "badge", "unread");

        assertThat(wire(unread).has("badge")).isFalse();
    }

    @Test
    void aSilentPushIsABackgroundMessageWithoutTitleBodySoundOrBadge() {
        PushDelivery delivery = TestDeliveries.with(TestDeliveries.silent("u1", TOKEN, Provider.EXPO), "badge", 4);
        JsonNode message = wire(delivery);

        assertThat(message.path("_contentAvailable").asBoolean()).isTrue();
        assertThat(message.has("title")).isFalse();
        assertThat(message.has("body")).isFalse();
        assertThat(message.has("sound")).isFalse();
        assertThat(message.has("badge")).isFalse();
        assertThat(message.path("data").path("threadId").asString()).isEqualTo("t-9");
        assertThat(message.path("to").asString()).isEqualTo(TOKEN);
        // Expo sends "high" to APNs as priority 10, which Apple refuses for a background push.
        assertThat(delivery.priority()).isEqualTo(Priority.HIGH);
        assertThat(message.path("priority").asString()).isEqualTo("normal");
    }

    @Test
    void aWithdrawalIsABackgroundMessageNamingItsTarget() {
        PushDelivery target = TestDeliveries.like("u1", TOKEN, Provider.EXPO);
        JsonNode message = wire(TestDeliveries.withdraw(target));

        assertThat(message.path("_contentAvailable").asBoolean()).isTrue();
        assertThat(message.has("title")).isFalse();
        assertThat(message.path("data"))
                .isEqualTo(HeraldJson.mapper()
                        .valueToTree(Map.of(
                                "herald.change",
                                "withdraw",
                                "herald.notificationId",
                                target.notificationId().toString())));
    }
}
