package io.herald.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.Ids;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * Seed 004, the Django Channels inbox, played as its document does against the dev stack: the frontend connects to
 * {@code /ws/notifications/?token=…}, sends each message of the seed's client→server table exactly as written there
 * (the {@code send_notification} with its two {@code "type"} keys and a numeric {@code user_id}, {@code mark_read} and
 * {@code delete_notification} with {@code notification_id}), and reads each server→client message and its fields
 * ({@code notification} with {@code message} and {@code link}, {@code notifications_list} with {@code total} and
 * {@code unread_count}, confirmations with {@code success} and {@code notification_id}).
 */
@ExtendWith(SharedDevStack.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class Seed004ChannelsInboxIT {

    private static SeedClient client;

    @BeforeAll
    static void useTheSharedStack(DevStack shared) {
        client = new SeedClient(shared);
    }

    @Test
    void theChannelsFrontendWorksUnchanged() {
        // The seed's users have numeric ids, which its frontend sends as JSON numbers.
        String user = Long.toString(ThreadLocalRandom.current().nextLong(1_000_000_000L, Long.MAX_VALUE));
        String jwt = client.jwt(user);
        try (var socket = SeedClient.BrowserSocket.open(client.socketBase() + "/ws/notifications/?token=" + jwt)) {
            socket.next("unread_count");

            // The Django backend's send_approval_notification(…), now an event through the gateway.
            Instant before = Instant.now().minusSeconds(1);
            String eventId = client.publish("""
                    {"type":"approval","recipients":["%s"],"title":"Details Approved",
                     "body":"Your details have been approved","link":"/profile/details",
                     "data":{"form_type":"userdetail","item_id":"%s","approved":"true"}}
                    """.formatted(user, user));
            JsonNode approval = socket.next("notification").path("notification");
            assertThat(approval.path("id").asString())
                    .isEqualTo(Ids.notificationId(UUID.fromString(eventId), DevStack.APP_NAME, user)
                            .toString());
            assertThat(approval.path("title").asString()).isEqualTo("Details Approved");
            assertThat(approval.path("message").asString()).isEqualTo("Your details have been approved");
            assertThat(approval.path("type").asString()).isEqualTo("approval");
            assertThat(approval.path("read").isBoolean()).isTrue();
            assertThat(approval.path("read").asBoolean()).isFalse();
            assertThat(Instant.parse(approval.path("created_at").asString())).isAfter(before);
            assertThat(approval.path("data").path("form_type").asString()).isEqualTo("userdetail");
            assertThat(approval.path("data").path("item_id").asString()).isEqualTo(user);
            assertThat(approval.path("data").path("approved").asString()).isEqualTo("true");
            assertThat(approval.path("link").asString()).isEqualTo("/profile/details");

            // Client → server, "Send notification", exactly as the table writes it (two "type" keys).
            socket.send("""
                    {
                      "type": "send_notification",
                      "user_id": %s,
                      "title": "Title",
                      "message": "Message",
                      "type": "approval",
                      "data": {"form_type": "userdetail", "item_id": 7},
                      "link": "/some/url"
                    }""".formatted(user));
            JsonNode sent = socket.nextOf("notification_sent", "error");
            assertThat(sent.path("type").asString()).as(sent.toString()).isEqualTo("notification_sent");
            assertThat(sent.path("success").asBoolean()).isTrue();
            String sentId = sent.path("notification_id").asString();
            assertThat(sentId).isNotBlank();

            // Server → client, "New notification": the one just sent arrives with the seed's fields.
            JsonNode own = socket.next("notification").path("notification");
            assertThat(own.path("id").asString()).isEqualTo(sentId);
            assertThat(own.path("title").asString()).isEqualTo("Title");
            assertThat(own.path("message").asString()).isEqualTo("Message");
            assertThat(own.path("type").asString()).isEqualTo("approval");
            assertThat(own.path("read").asBoolean(true)).isFalse();
            assertThat(own.path("created_at").asString()).isNotBlank();
            assertThat(own.path("data").path("form_type").asString()).isEqualTo("userdetail");
            assertThat(own.path("data").path("item_id").asString()).isEqualTo("7");
            assertThat(own.path("link").asString()).isEqualTo("/some/url");

            // "Get all notifications" → "Notifications list" (once the inbox has stored both).
            JsonNode list = await().atMost(Duration.ofSeconds(30))
                    .until(
                            () -> {
                                socket.send("{\n  \"type\": \"get_notifications\"\n}");
                                return socket.next("notifications_list");
                            },
                            answer -> answer.path("total").asLong() == 2);
            assertThat(list.path("unread_count").asLong()).isEqualTo(2);
            assertThat(list.path("notifications")
                            .valueStream()
                            .map(n -> n.path("id").asString())
                            .toList())
                    .containsExactlyInAnyOrder(sentId, approval.path("id").asString());
            assertThat(list.path("notifications")
                            .valueStream()
                            .map(n -> n.path("message").asString())
                            .toList())
                    .containsExactlyInAnyOrder("Message", "Your details have been approved");

            // "Mark as read" with notification_id → notification_marked_read with notification_id and success.
            socket.send("{\n  \"type\": \"mark_read\",\n  \"notification_id\": \"" + sentId + "\"\n}");
            JsonNode marked = socket.nextOf("notification_marked_read", "error");
            assertThat(marked.path("type").asString()).as(marked.toString()).isEqualTo("notification_marked_read");
            assertThat(marked.path("notification_id").asString()).isEqualTo(sentId);
            assertThat(marked.path("success").asBoolean()).isTrue();

            // "Mark all as read".
            socket.send("{\n  \"type\": \"mark_all_read\"\n}");
            JsonNode all = socket.nextOf("all_notifications_marked_read", "error");
            assertThat(all.path("type").asString()).as(all.toString()).isEqualTo("all_notifications_marked_read");
            assertThat(all.path("success").asBoolean()).isTrue();

            // "Delete notification" with notification_id.
            socket.send("{\n  \"type\": \"delete_notification\",\n  \"notification_id\": \"" + sentId + "\"\n}");
            JsonNode deleted = socket.nextOf("notification_deleted", "error");
            assertThat(deleted.path("type").asString()).as(deleted.toString()).isEqualTo("notification_deleted");
            assertThat(deleted.path("notification_id").asString()).isEqualTo(sentId);
            assertThat(deleted.path("success").asBoolean()).isTrue();

            socket.send("{\"type\": \"get_notifications\"}");
            JsonNode after = socket.next("notifications_list");
            assertThat(after.path("total").asLong()).isEqualTo(1);
            assertThat(after.path("unread_count").asLong()).isZero();
            assertThat(after.path("notifications")
                            .valueStream()
                            .map(n -> n.path("read").asBoolean())
                            .toList())
                    .isEqualTo(List.of(true));

            // User isolation (the seed's security note): another user's id is refused.
            socket.send("""
                    {"type": "send_notification", "user_id": 1, "title": "Hi", "message": "there", "type": "general"}""");
            JsonNode refused = socket.nextOf("error", "notification_sent");
            assertThat(refused.path("type").asString()).isEqualTo("error");
            assertThat(refused.path("code").asString()).isEqualTo("forbidden");
            assertThat(refused.path("success").asBoolean(true)).isFalse();
        }
    }
}
