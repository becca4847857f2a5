package io.herald.fanout.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.events.HeraldJson;
import io.herald.events.InAppNotification;
import io.herald.fanout.inbox.InboxItem;
import io.herald.fanout.inbox.InboxStore;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** The socket dialects' renderers and the reading of the seeds' clients' messages, without a socket. */
class DialectMessagesTest {

    private static final UUID ID = UUID.fromString("0f4b1c2e-5d6a-5b7c-8d9e-0a1b2c3d4e5f");
    private static final Instant AT = Instant.parse("2024-01-01T00:00:00Z");

    @Test
    void theChannelsSendNotificationWithTwoTypesKeepsBoth() {
        // As the seed's frontend sends it: "type" twice, the message's first, the notification's second.
        JsonNode message = ClientMessages.parse("""
                {"type": "send_notification", "user_id": 123, "title": "Title", "message": "Message",
                 "type": "approval", "data": {"k": "v"}, "link": "/some/url"}""");
        assertThat(message).isNotNull();
        assertThat(message.path("type").asString()).isEqualTo("send_notification");
        assertThat(message.path("notification_type").asString()).isEqualTo("approval");
        assertThat(ClientMessages.idText(message.path("user_id"))).isEqualTo("123");
        assertThat(message.path("link").asString()).isEqualTo("/some/url");
    }

    @Test
    void anExplicitNotificationTypeWinsOverASecondType() {
        JsonNode message = ClientMessages.parse(
                "{\"type\":\"send_notification\",\"type\":\"approval\",\"notification_type\":\"general\"}");
        assertThat(message.path("type").asString()).isEqualTo("send_notification");
        assertThat(message.path("notification_type").asString()).isEqualTo("general");
    }

    @Test
    void onlyOneJsonObjectIsAMessage() {
        assertThat(ClientMessages.parse("[1]")).isNull();
        assertThat(ClientMessages.parse("\"ping\"")).isNull();
        assertThat(ClientMessages.parse("{\"type\":\"ping\"} {\"type\":\"ping\"}"))
                .isNull();
        assertThatThrownBy(() -> ClientMessages.parse("{\"type\":")).isInstanceOf(JacksonException.class);
    }

    @Test
    void notificationIdIsAnAliasOfId() {
        assertThat(ClientMessages.notificationId(ClientMessages.parse("{\"notification_id\":\"x\"}"))
                        .asString())
                .isEqualTo("x");
        assertThat(ClientMessages.notificationId(ClientMessages.parse("{\"id\":\"a\",\"notification_id\":\"b\"}"))
                        .asString())
                .isEqualTo("a");
    }

    @Test
    void anIdMayBeAStringOrAnIntegerButNothingElse() {
        assertThat(ClientMessages.idText(HeraldJson.mapper().readTree("42"))).isEqualTo("42");
        assertThat(ClientMessages.idText(HeraldJson.mapper().readTree("12345678901234567890")))
                .isEqualTo("12345678901234567890");
        assertThat(ClientMessages.idText(HeraldJson.mapper().readTree("\"w-1\"")))
                .isEqualTo("w-1");
        assertThat(ClientMessages.idText(HeraldJson.mapper().readTree("4.5"))).isNull();
        assertThat(ClientMessages.idText(HeraldJson.mapper().readTree("true"))).isNull();
        assertThat(ClientMessages.idText(HeraldJson.mapper().readTree("{}"))).isNull();
    }

    @Test
    void aChannelsNotificationHasTheSeedsFields() {
        var n = live(Map.of("k", "v"), "/orders/7");
        JsonNode frame = HeraldJson.mapper()
                .readTree(ChannelsMessages.notification(Shown.of(n), new InboxStore.StreamPosition(2, 40)));
        assertThat(frame.path("type").asString()).isEqualTo("notification");
        assertThat(frame.path("position").asString()).isEqualTo("2:40");
        JsonNode item = frame.path("notification");
        assertThat(fieldNames(item))
                .containsExactly("id", "title", "message", "type", "read", "created_at", "data", "link");
        assertThat(item.path("id").asString()).isEqualTo(ID.toString());
        assertThat(item.path("title").asString()).isEqualTo("Title");
        assertThat(item.path("message").asString()).isEqualTo("Message");
        assertThat(item.path("type").asString()).isEqualTo("approval");
        assertThat(item.path("read").asBoolean(true)).isFalse();
        assertThat(item.path("created_at").asString()).isEqualTo("2024-01-01T00:00:00Z");
        assertThat(item.path("data").path("k").asString()).isEqualTo("v");
        assertThat(item.path("link").asString()).isEqualTo("/orders/7");
    }

    @Test
    void aChannelsNotificationTakesItsLinkFromDataWhenItHasNoneOfItsOwnAndElseSaysNull() {
        JsonNode fromData = HeraldJson.mapper()
                .readTree(ChannelsMessages.notification(Shown.of(live(Map.of("link", "/a"), null)), null))
                .path("notification");
        assertThat(fromData.path("link").asString()).isEqualTo("/a");
        JsonNode none = HeraldJson.mapper()
                .readTree(ChannelsMessages.notification(Shown.of(live(Map.of(), null)), null))
                .path("notification");
        assertThat(none.has("link")).isTrue();
        assertThat(none.path("link").isNull()).isTrue();
    }

    @Test
    void channelsConfirmationsCarrySuccessAndNotificationId() {
        JsonNode read = HeraldJson.mapper().readTree(ChannelsMessages.markedRead(ID, 3, "r-1"));
        assertThat(read.path("type").asString()).isEqualTo("notification_marked_read");
        assertThat(read.path("notification_id").asString()).isEqualTo(ID.toString());
        assertThat(read.path("success").asBoolean()).isTrue();
        assertThat(read.path("unread_count").asLong()).isEqualTo(3);
        assertThat(read.path("request_id").asString()).isEqualTo("r-1");

        JsonNode deleted = HeraldJson.mapper().readTree(ChannelsMessages.deleted(ID, 0, null));
        assertThat(deleted.path("type").asString()).isEqualTo("notification_deleted");
        assertThat(deleted.path("notification_id").asString()).isEqualTo(ID.toString());
        assertThat(deleted.path("success").asBoolean()).isTrue();
        assertThat(deleted.has("request_id")).isFalse();

        JsonNode all = HeraldJson.mapper().readTree(ChannelsMessages.allMarkedRead(4, null));
        assertThat(all.path("type").asString()).isEqualTo("all_notifications_marked_read");
        assertThat(all.path("success").asBoolean()).isTrue();
        assertThat(all.path("updated").asInt()).isEqualTo(4);

        JsonNode sent = HeraldJson.mapper().readTree(ChannelsMessages.sent(ID, null));
        assertThat(sent.path("type").asString()).isEqualTo("notification_sent");
        assertThat(sent.path("success").asBoolean()).isTrue();
        assertThat(sent.path("notification_id").asString()).isEqualTo(ID.toString());

        JsonNode error =
                HeraldJson.mapper().readTree(ChannelsMessages.error("forbidden", "no", "send_notification", null));
        assertThat(error.path("type").asString()).isEqualTo("error");
        assertThat(error.path("success").asBoolean(true)).isFalse();
        assertThat(error.path("code").asString()).isEqualTo("forbidden");
        assertThat(error.path("message").asString()).isEqualTo("no");
    }

    @Test
    void aChannelsListHasNotificationsTotalAndUnreadCount() {
        var item = new InboxItem(ID, "approval", "Title", "Message", Map.of(), true, AT, AT);
        JsonNode list =
                HeraldJson.mapper().readTree(ChannelsMessages.list(List.of(Shown.of(item)), 1, 20, 10, 3, null));
        assertThat(list.path("type").asString()).isEqualTo("notifications_list");
        assertThat(list.path("total").asLong()).isEqualTo(10);
        assertThat(list.path("unread_count").asLong()).isEqualTo(3);
        JsonNode first = list.path("notifications").get(0);
        assertThat(first.path("message").asString()).isEqualTo("Message");
        assertThat(first.path("read").asBoolean()).isTrue();
        assertThat(first.path("id").asString()).isEqualTo(ID.toString());
    }

    @Test
    void aWorkFrameIsTypedByTheEventAndCarriesTheDataAtTheTopLevel() {
        var n = live(Map.of("work_id", "w-1", "service_type", "worker", "distance", "2.5km"), null);
        n = new InAppNotification(
                n.notificationId(),
                n.eventId(),
                1,
                AT,
                "provider",
                "work_assigned",
                "New work",
                "Paint",
                n.data(),
                null,
                null);
        JsonNode frame = HeraldJson.mapper()
                .readTree(WorkMessages.notification(Shown.of(n), new InboxStore.StreamPosition(0, 9)));
        assertThat(frame.path("type").asString()).isEqualTo("work_assigned");
        assertThat(frame.path("work_id").asString()).isEqualTo("w-1");
        assertThat(frame.path("service_type").asString()).isEqualTo("worker");
        assertThat(frame.path("distance").asString()).isEqualTo("2.5km");
        assertThat(frame.path("notification_id").asString()).isEqualTo(ID.toString());
        assertThat(frame.path("title").asString()).isEqualTo("New work");
        assertThat(frame.path("message").asString()).isEqualTo("Paint");
        assertThat(frame.path("position").asString()).isEqualTo("0:9");
        assertThat(frame.has("notification")).isFalse();
    }

    @Test
    void inAWorkFrameTheAppsDataWinsOverHeraldsFields() {
        var data = new LinkedHashMap<String, String>();
        data.put("type", "job_offer");
        data.put("title", "the app's title");
        data.put("message", "the app's message");
        data.put("notification_id", "n-7");
        data.put("position", "here");
        data.put("workId", "w-2");
        data.put("herald.notificationId", ID.toString());
        var item = new InboxItem(ID, "work_assigned", "Herald's title", "Herald's body", data, false, AT, AT);
        JsonNode frame = HeraldJson.mapper()
                .readTree(WorkMessages.notification(Shown.of(item), new InboxStore.StreamPosition(1, 2)));
        assertThat(frame.path("type").asString()).isEqualTo("job_offer");
        assertThat(frame.path("title").asString()).isEqualTo("the app's title");
        assertThat(frame.path("message").asString()).isEqualTo("the app's message");
        assertThat(frame.path("notification_id").asString()).isEqualTo("n-7");
        assertThat(frame.path("position").asString()).isEqualTo("here");
        // camelCase keys are also there in snake case, where the data has no such key; Herald's keys are not.
        assertThat(frame.path("workId").asString()).isEqualTo("w-2");
        assertThat(frame.path("work_id").asString()).isEqualTo("w-2");
        assertThat(frame.path("herald.notificationId").asString()).isEqualTo(ID.toString());
        assertThat(frame.has("herald.notification_id")).isFalse();
    }

    @Test
    void withdrawalsAndUpdatesSpeakTheDialects() {
        JsonNode byId = HeraldJson.mapper()
                .readTree(ChannelsMessages.withdrawn(ID, null, null, new InboxStore.StreamPosition(1, 5)));
        assertThat(byId.path("type").asString()).isEqualTo("notification_withdrawn");
        assertThat(byId.path("notification_id").asString()).isEqualTo(ID.toString());
        assertThat(byId.path("position").asString()).isEqualTo("1:5");
        JsonNode byKey = HeraldJson.mapper()
                .readTree(ChannelsMessages.withdrawn(null, "job-7", "app", new InboxStore.StreamPosition(1, 6)));
        assertThat(byKey.has("notification_id")).isFalse();
        assertThat(byKey.path("collapse_key").asString()).isEqualTo("job-7");
        assertThat(byKey.path("source").asString()).isEqualTo("app");

        Shown n = Shown.of(live(Map.of("work_id", "w-1"), "/jobs/1"));
        JsonNode channels =
                HeraldJson.mapper().readTree(ChannelsMessages.updated(n, new InboxStore.StreamPosition(0, 3)));
        assertThat(channels.path("type").asString()).isEqualTo("notification_updated");
        assertThat(fieldNames(channels.path("notification")))
                .containsExactly("id", "title", "message", "type", "data", "link");
        JsonNode work = HeraldJson.mapper().readTree(WorkMessages.updated(n, new InboxStore.StreamPosition(0, 3)));
        assertThat(work.path("type").asString()).isEqualTo("notification_updated");
        assertThat(work.path("event_type").asString()).isEqualTo("approval");
        assertThat(work.path("work_id").asString()).isEqualTo("w-1");
        assertThat(work.path("notification_id").asString()).isEqualTo(ID.toString());
        assertThat(work.path("message").asString()).isEqualTo("Message");
        assertThat(work.has("read")).isFalse();
    }

    @Test
    void snakeCaseOfCommonKeys() {
        assertThat(WorkMessages.snakeCase("workId")).isEqualTo("work_id");
        assertThat(WorkMessages.snakeCase("serviceTypeName")).isEqualTo("service_type_name");
        assertThat(WorkMessages.snakeCase("imageURL")).isEqualTo("image_url");
        assertThat(WorkMessages.snakeCase("HTTPStatus")).isEqualTo("http_status");
        assertThat(WorkMessages.snakeCase("work_id")).isEqualTo("work_id");
    }

    @Test
    void theWorkResponseAnswerNamesTheWork() {
        JsonNode answer = HeraldJson.mapper().readTree(WorkMessages.responseRecorded(ID, "42", true, true, null));
        assertThat(answer.path("type").asString()).isEqualTo("action_accepted");
        assertThat(answer.path("action").asString()).isEqualTo("work_response");
        assertThat(answer.path("action_id").asString()).isEqualTo(ID.toString());
        assertThat(answer.path("work_id").asString()).isEqualTo("42");
        assertThat(answer.path("accepted").asBoolean()).isTrue();
        assertThat(answer.path("success").asBoolean()).isTrue();
    }

    @Test
    void aDialectIsChosenByParameterThenSubprotocolThenPath() {
        assertThat(choose("/ws/notifications", null)).isEqualTo(SocketDialect.HERALD);
        assertThat(choose("/ws/notifications/?token=abc", null)).isEqualTo(SocketDialect.CHANNELS);
        assertThat(choose("/ws/work/provider/", null)).isEqualTo(SocketDialect.WORK);
        assertThat(choose("/ws/work/seeker/?token=abc", null)).isEqualTo(SocketDialect.WORK);
        assertThat(choose("/ws/notifications", "bearer.x, herald.channels.v1")).isEqualTo(SocketDialect.CHANNELS);
        assertThat(choose("/ws/notifications/", "herald.v1, bearer.x")).isEqualTo(SocketDialect.HERALD);
        assertThat(choose("/ws/notifications?dialect=work", "herald.v1")).isEqualTo(SocketDialect.WORK);
        assertThat(choose("/ws/work/provider/?dialect=herald.channels.v1", null))
                .isEqualTo(SocketDialect.CHANNELS);
        assertThat(SocketDialect.of(request("/ws/notifications?dialect=soap", null)))
                .isInstanceOf(SocketDialect.Choice.UnknownDialect.class);
        assertThat(SocketDialect.of(request("/ws/other", null))).isInstanceOf(SocketDialect.Choice.NoSuchPath.class);
        assertThat(SocketDialect.of(request("/ws/notificationsx", "herald.v1")))
                .isInstanceOf(SocketDialect.Choice.NoSuchPath.class);
    }

    private static SocketDialect choose(String uri, String subprotocols) {
        return ((SocketDialect.Choice.Chosen) SocketDialect.of(request(uri, subprotocols))).dialect();
    }

    private static DefaultFullHttpRequest request(String uri, String subprotocols) {
        var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        if (subprotocols != null) {
            request.headers().set("Sec-WebSocket-Protocol", subprotocols);
        }
        return request;
    }

    private static InAppNotification live(Map<String, String> data, String link) {
        return new InAppNotification(
                ID,
                UUID.randomUUID(),
                1,
                AT,
                "user-1",
                "approval",
                "Title",
                "Message",
                data,
                null,
                null,
                "app",
                link,
                null,
                null,
                null);
    }

    private static List<String> fieldNames(JsonNode node) {
        return List.copyOf(node.propertyNames());
    }
}
