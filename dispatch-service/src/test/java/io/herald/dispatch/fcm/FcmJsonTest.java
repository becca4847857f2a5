package io.herald.dispatch.fcm;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.client.json.gson.GsonFactory;
import com.google.firebase.messaging.AndroidConfig;
import com.google.firebase.messaging.AndroidFcmOptions;
import com.google.firebase.messaging.AndroidNotification;
import com.google.firebase.messaging.ApnsConfig;
import com.google.firebase.messaging.ApnsFcmOptions;
import com.google.firebase.messaging.Aps;
import com.google.firebase.messaging.ApsAlert;
import com.google.firebase.messaging.CriticalSound;
import com.google.firebase.messaging.FcmOptions;
import com.google.firebase.messaging.LightSettings;
import com.google.firebase.messaging.Message;
import com.google.firebase.messaging.Notification;
import com.google.firebase.messaging.WebpushConfig;
import com.google.firebase.messaging.WebpushFcmOptions;
import com.google.firebase.messaging.WebpushNotification;
import io.herald.dispatch.TestDeliveries;
import io.herald.events.HeraldJson;
import io.herald.events.Provider;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FcmJsonTest {

    /** Every part of the SDK's model, set. */
    static Message everything() {
        return Message.builder()
                .setToken("tok-<&>'=\u2028é")
                .setNotification(Notification.builder()
                        .setTitle("Hi \"you\"")
                        .setBody("line\nbreak\ttab")
                        .setImage("https://example.com/i.png")
                        .build())
                .putData("b", "2")
                .putData("a", "1")
                .setFcmOptions(FcmOptions.withAnalyticsLabel("label"))
                .setAndroidConfig(AndroidConfig.builder()
                        .setCollapseKey("likes")
                        .setPriority(AndroidConfig.Priority.HIGH)
                        .setTtl(3_600_123L)
                        .setRestrictedPackageName("com.example")
                        .putData("k", "v")
                        .setFcmOptions(AndroidFcmOptions.withAnalyticsLabel("android"))
                        .setDirectBootOk(true)
                        .setNotification(AndroidNotification.builder()
                                .setTitle("t")
                                .setBody("b")
                                .setIcon("icon")
                                .setColor("#112233")
                                .setSound("default")
                                .setTag("tag")
                                .setClickAction("OPEN")
                                .setBodyLocalizationKey("bk")
                                .addBodyLocalizationArg("b1")
                                .setTitleLocalizationKey("tk")
                                .addTitleLocalizationArg("t1")
                                .setChannelId("social")
                                .setImage("https://example.com/a.png")
                                .setTicker("ticker")
                                .setSticky(true)
                                .setEventTimeInMillis(1_700_000_000_123L)
                                .setLocalOnly(false)
                                .setPriority(AndroidNotification.Priority.MAX)
                                .setVibrateTimingsInMillis(new long[] {100, 2_000})
                                .setDefaultVibrateTimings(false)
                                .setDefaultSound(true)
                                .setLightSettings(LightSettings.builder()
                                        .setColorFromString("#804020")
                                        .setLightOnDurationInMillis(1_500)
                                        .setLightOffDurationInMillis(250)
                                        .build())
                                .setDefaultLightSettings(false)
                                .setVisibility(AndroidNotification.Visibility.PRIVATE)
                                .setNotificationCount(7)
                                .setProxy(AndroidNotification.Proxy.DENY)
                                .build())
                        .build())
                .setApnsConfig(ApnsConfig.builder()
                        .putHeader("apns-priority", "10")
                        .putCustomData("custom", Map.of("n", 1))
                        .setFcmOptions(ApnsFcmOptions.builder()
                                .setAnalyticsLabel("apns")
                                .setImage("https://example.com/x.png")
                                .build())
                        .setAps(Aps.builder()
                                .setAlert(ApsAlert.builder()
                                        .setTitle("title")
                                        .setSubtitle("sub")
                                        .setBody("body")
                                        .setLocalizationKey("lk")
                                        .addLocalizationArg("l1")
                                        .setLaunchImage("launch.png")
                                        .setActionLocalizationKey("ak")
                                        .build())
                                .setBadge(3)
                                .setSound(CriticalSound.builder()
                                        .setCritical(true)
                                        .setName("alarm.caf")
                                        .setVolume(0.5)
                                        .build())
                                .setContentAvailable(true)
                                .setMutableContent(true)
                                .setCategory("cat")
                                .setThreadId("thread")
                                .putCustomData("extra", List.of("x", 2))
                                .build())
                        .build())
                .setWebpushConfig(WebpushConfig.builder()
                        .putHeader("TTL", "60")
                        .putData("w", "1")
                        .setNotification(WebpushNotification.builder()
                                .setTitle("web")
                                .setBody("push")
                                .setIcon("icon.png")
                                .setRenotify(true)
                                .setTimestampMillis(1_700_000_000_000L)
                                .setVibrate(new int[] {200, 100})
                                .build())
                        .setFcmOptions(WebpushFcmOptions.withLink("https://example.com"))
                        .build())
                .build();
    }

    @Test
    void writesEveryPartOfTheSdkModelAsTheSdkDoes() throws Exception {
        for (Message message : List.of(
                everything(),
                Message.builder().setTopic("news").build(),
                Message.builder()
                        .setCondition("'a' in topics")
                        .putData("x", "y")
                        .build(),
                Message.builder().setFid("fid-1").build())) {
            String sdk = GsonFactory.getDefaultInstance().toString(Map.of("message", message));

            String herald = new String(FcmJson.body(message), StandardCharsets.UTF_8);

            assertThat(HeraldJson.mapper().readTree(herald))
                    .isEqualTo(HeraldJson.mapper().readTree(sdk));
            // Byte for byte too, but for Gson's escaping of U+2028 (JavaScript's line separator), written raw here:
            // both are the same JSON string.
            assertThat(herald).isEqualTo(sdk.replace("\\u2028", "\u2028"));
        }
    }

    @Test
    void writesTheMessageByteForByteAsTheSdkDoes() throws Exception {
        Message message = FcmMessages.of(
                TestDeliveries.like("alice", "token-with-ünïcödé-and-\"quotes\"", Provider.FCM), Instant.now());

        byte[] sdk = GsonFactory.getDefaultInstance().toByteArray(Map.of("message", message));

        assertThat(new String(FcmJson.body(message), StandardCharsets.UTF_8))
                .isEqualTo(new String(sdk, StandardCharsets.UTF_8))
                .contains("\"token\":\"token-with-ünïcödé-and-\\\"quotes\\\"\"");
    }
}
