package io.herald.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.ClientAction;
import io.herald.events.HeraldJson;
import io.herald.events.Ids;
import io.herald.events.Topics;
import io.herald.testkit.fcm.FcmEmulator;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Seed 001, the work-assignment app (FCM and WebSocket), played as its document does against the dev stack: the
 * seeker assigns work (the app's backend publishes {@code work_assigned} through the gateway, {@code work_id} in its
 * data); the provider's socket on {@code /ws/work/provider/} gets {@code {"type":"work_assigned","work_id":…}} and
 * answers, exactly as the seed's JavaScript does, {@code {type:'work_response', work_id: data.work_id, accepted:
 * true}}; the seeker's socket on {@code /ws/work/seeker/} is told; the response is on {@code
 * herald.client-actions.v1} for the app; the provider's phone got the push; and the app sees the delivery status.
 */
@ExtendWith(SharedDevStack.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class Seed001WorkAssignmentIT {

    private static DevStack stack;
    private static SeedClient client;

    @BeforeAll
    static void useTheSharedStack(DevStack shared) {
        stack = shared;
        client = new SeedClient(shared);
    }

    @Test
    void theProviderAcceptsOnTheSocketAndTheSeekerIsTold() {
        String seeker = "seeker-" + UUID.randomUUID();
        String provider = "provider-" + UUID.randomUUID();
        String providerFcmToken = "fcm-provider-" + UUID.randomUUID();
        String seekerJwt = client.jwt(seeker);
        String providerJwt = client.jwt(provider);
        // Step 2.2 of the seed: each registers its FCM token.
        client.registerFcm(providerJwt, providerFcmToken);
        client.registerFcm(seekerJwt, "fcm-seeker-" + UUID.randomUUID());

        // Step 2.4: new WebSocket('ws://…/ws/work/provider/') (and the seeker's); Herald needs the JWT in the URL.
        try (var providerSocket =
                        SeedClient.BrowserSocket.open(client.socketBase() + "/ws/work/provider/?token=" + providerJwt);
                var seekerSocket =
                        SeedClient.BrowserSocket.open(client.socketBase() + "/ws/work/seeker/?token=" + seekerJwt)) {
            // Herald greets every socket with its unread count: both are registered once it has come.
            providerSocket.next("unread_count");
            seekerSocket.next("unread_count");

            // Step 2.3: the seeker assigns work; the app's backend tells Herald.
            String workId = Integer.toString(ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE));
            String eventId = client.publish("""
                    {"type":"work_assigned","actor":{"id":"%s","displayName":"Sam Seeker"},"recipients":["%s"],
                     "object":{"id":"%s","kind":"work","title":"Painting"},"priority":"high",
                     "data":{"work_id":"%s","service_type":"worker","message":"Need help with painting work",
                             "distance":"2.5km","latitude":"12.345","longitude":"67.890"}}
                    """.formatted(seeker, provider, workId, workId));

            // websocket.onmessage: data.type === 'work_assigned'.
            JsonNode data = providerSocket.next("work_assigned");
            assertThat(data.path("work_id").asString()).isEqualTo(workId);
            assertThat(data.path("service_type").asString()).isEqualTo("worker");
            assertThat(data.path("message").asString()).isEqualTo("Need help with painting work");
            assertThat(data.path("distance").asString()).isEqualTo("2.5km");
            assertThat(data.path("notification_id").asString())
                    .isEqualTo(Ids.notificationId(UUID.fromString(eventId), DevStack.APP_NAME, provider)
                            .toString());

            // websocket.send(JSON.stringify({type: 'work_response', work_id: data.work_id, accepted: true})), at once.
            ObjectNode response = HeraldJson.mapper().createObjectNode();
            response.put("type", "work_response");
            response.set("work_id", data.path("work_id"));
            response.put("accepted", true);
            providerSocket.send(HeraldJson.mapper().writeValueAsString(response));
            JsonNode ack = providerSocket.nextOf("action_accepted", "error");
            assertThat(ack.path("type").asString()).as(ack.toString()).isEqualTo("action_accepted");
            assertThat(ack.path("work_id").asString()).isEqualTo(workId);

            // Step 7 of the flow: the seeker gets notified of the response, with no code of the app's.
            JsonNode told = seekerSocket.next("work_response");
            assertThat(told.path("work_id").asString()).isEqualTo(workId);
            assertThat(told.path("accepted").asString()).isEqualTo("true");
            assertThat(told.path("title").asString()).isEqualTo("Work accepted");

            // The app still gets the response itself.
            List<ClientAction> actions = client.records(Topics.CLIENT_ACTIONS).stream()
                    .filter(r -> provider.equals(r.key()))
                    .map(r -> HeraldJson.mapper().readValue(r.value(), ClientAction.class))
                    .toList();
            assertThat(actions).hasSize(1);
            assertThat(actions.getFirst().action()).isEqualTo("work_response");
            assertThat(actions.getFirst().payload())
                    .containsEntry("work_id", workId)
                    .containsEntry("accepted", "true");

            // Step 3: the FCM push to the provider, with the app's data.
            FcmEmulator.Received push = await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> stack.fcm().received().stream()
                                    .filter(r ->
                                            r.message().path("token").asString().equals(providerFcmToken))
                                    .findFirst(),
                            Optional::isPresent)
                    .orElseThrow();
            assertThat(push.message().path("data").path("work_id").asString()).isEqualTo(workId);
            assertThat(push.message().path("data").path("service_type").asString())
                    .isEqualTo("worker");

            // Step 8: the app sees each channel's delivery status.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode status = client.eventStatus(eventId).orElseThrow();
                List<String> outcomes = status.path("deliveries")
                        .valueStream()
                        .filter(d -> d.path("userId").asString().equals(provider))
                        .map(d -> d.path("channel").asString() + ":"
                                + d.path("outcome").asString())
                        .toList();
                // The in-app half is the inbox row: stored, or read once the app marked it.
                assertThat(outcomes)
                        .as(status.toString())
                        .contains("push:sent")
                        .containsAnyOf("inapp:stored", "inapp:read");
            });
        }
    }
}
