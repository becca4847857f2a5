package io.herald.fanout.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
import io.herald.events.InAppNotification;
import io.herald.fanout.inbox.InboxItem;
import io.herald.fanout.inbox.InboxStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SocketMessagesTest {

    @Test
    void aLiveNotificationIsTheMessageAReplayFromTheInboxGives() {
        var data = new LinkedHashMap<String, String>();
        data.put("productId", "p-1");
        data.put("quote\"and\\\\backslash", "line\nbreak, ünïcödé 🚲 </script>");
        data.put("empty", "");
        var live = new InAppNotification(
                UUID.randomUUID(),
                UUID.randomUUID(),
                DomainEvent.SCHEMA_VERSION,
                Instant.parse("2026-11-24T10:00:00.123456Z"),
                "alice",
                "product_like",
                "Your product was \"liked\"",
                "Bob liked your product\tRed bike",
                data,
                new DomainEvent.Actor("bob", "Bob"),
                null);
        var replayed = new InboxItem(
                live.notificationId(),
                live.type(),
                live.title(),
                live.body(),
                live.data(),
                false,
                live.occurredAt(),
                live.occurredAt());

        var liveJson = HeraldJson.mapper().readTree(SocketMessages.notificationBytes(live, 2, 1042));
        assertThat(liveJson)
                .isEqualTo(HeraldJson.mapper()
                        .readTree(SocketMessages.notificationBytes(replayed, new InboxStore.StreamPosition(2, 1042))));
        assertThat(liveJson.path("position").asString()).isEqualTo("2:1042");
        assertThat(liveJson.path("type").asString()).isEqualTo("notification");
        assertThat(liveJson.path("notification").path("created_at").asString())
                .isEqualTo("2026-11-24T10:00:00.123456Z");
        assertThat(liveJson.path("notification")
                        .path("data")
                        .path("quote\"and\\\\backslash")
                        .asString())
                .isEqualTo("line\nbreak, ünïcödé 🚲 </script>");
        assertThat(SocketMessages.notification(live, 2, 1042))
                .isEqualTo(new String(SocketMessages.notificationBytes(live, 2, 1042), StandardCharsets.UTF_8));
    }

    @Test
    void aNotificationWithoutDataHasAnEmptyDataObject() {
        var live = new InAppNotification(
                UUID.randomUUID(),
                UUID.randomUUID(),
                DomainEvent.SCHEMA_VERSION,
                Instant.parse("2026-11-24T10:00:00Z"),
                "alice",
                "booking_confirmed",
                "Booked",
                "Your booking is confirmed",
                Map.of(),
                null,
                null);
        var json = HeraldJson.mapper().readTree(SocketMessages.notificationBytes(live, 0, 0));
        assertThat(json.path("notification").path("data").isObject()).isTrue();
        assertThat(json.path("notification").path("data").size()).isZero();
        assertThat(json.path("notification").path("read").asBoolean(true)).isFalse();
    }

    @Test
    void aPositionIsReadBackOnlyWhenItIsOne() {
        assertThat(SocketMessages.parsePosition(SocketMessages.position(2, 1042)))
                .isEqualTo(new InboxStore.StreamPosition(2, 1042));
        assertThat(SocketMessages.parsePosition("0:0")).isEqualTo(new InboxStore.StreamPosition(0, 0));
        for (String bad : new String[] {
            "",
            ":",
            "1:",
            ":1",
            "1",
            "a:1",
            "1:b",
            "-1:5",
            "1:-5",
            "1:2:3",
            "1 :2",
            "99999999999:1",
            "1:99999999999999999999",
            "1:" + "9".repeat(5000),
            "\u0000:1"
        }) {
            assertThat(SocketMessages.parsePosition(bad)).as(bad).isNull();
        }
    }
}
